/**
 * Restarts a cluster's orchestrators one at a time, so they read the spec again: the
 * supervisor starts each anew after SIGTERM, and the next goes only once the previous one
 * answers on its admin port. Postgres, poolers and gateways are untouched, and an
 * orchestrator is serving in every other zone throughout.
 */
import { join } from 'node:path';
import { runtime } from '../runtime/runtime';
import type { LocalCluster } from './local-cluster';

export async function restartOrchestrators(cluster: LocalCluster): Promise<void> {
  const { readPidFile, readSupervisorState } = runtime().local;
  const { waitFor, isListening } = runtime().net;
  const { layout } = cluster;
  for (const orchestrator of layout.orchestrators) {
    const pid = readPidFile(join(layout.runDir, `${orchestrator.name}.pid`));
    if (pid === undefined) throw new Error(`${orchestrator.name} is not running; restart the cluster (polygres_cluster running = true)`);
    process.kill(pid, 'SIGTERM');
    await waitFor(`${orchestrator.name} to restart`, async () => {
      const child = readSupervisorState(layout)?.children.find((c) => c.name === orchestrator.name);
      const restarted = child?.running === true && child.pid !== null && child.pid !== pid;
      return restarted && (await isListening(orchestrator.host, orchestrator.adminPort)) ? true : undefined;
    }, { timeoutMs: 60_000, intervalMs: 200 });
  }
}

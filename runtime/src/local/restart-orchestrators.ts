/**
 * Restarts a local cluster's orchestrators one at a time, so they read the spec again (a new
 * backup schedule): the supervisor starts each anew after SIGTERM, and the next goes only
 * once the previous one answers on its admin port. Postgres, poolers and gateways are
 * untouched, and an orchestrator serves in every other zone throughout.
 */
import { join } from 'node:path';
import type { ClusterLayout } from '../deployment/layout';
import { isListening, waitFor } from '../util/net';
import { readPidFile } from '../util/processes';
import { readSupervisorState } from './supervisor-files';

export async function restartOrchestrators(layout: ClusterLayout): Promise<void> {
  for (const orchestrator of layout.orchestrators) {
    const pid = readPidFile(join(layout.runDir, `${orchestrator.name}.pid`));
    if (pid === undefined) throw new Error(`${orchestrator.name} is not running; start the cluster first (polygres up)`);
    process.kill(pid, 'SIGTERM');
    await waitFor(`${orchestrator.name} to restart`, async () => {
      const child = readSupervisorState(layout)?.children.find((candidate) => candidate.name === orchestrator.name);
      const restarted = child?.running === true && child.pid !== null && child.pid !== pid;
      return restarted && (await isListening(orchestrator.host, orchestrator.adminPort)) ? true : undefined;
    }, { timeoutMs: 60_000, intervalMs: 200 });
  }
}

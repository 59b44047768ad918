/** Live status of a local cluster (rule from etcd plus each pooler's report), as `polygres status --json` gives it. */
import { setTimeout as sleep } from 'node:timers/promises';
import { requireRuntime } from '../runtime';
import type { LocalCluster } from './local-cluster';

export type LocalClusterStatus = import('@polygres/runtime/dist/cli/status-command').LocalClusterStatus;

export function clusterStatus(cluster: LocalCluster): Promise<LocalClusterStatus> {
  return requireRuntime.status().localClusterStatus(cluster.stateDir);
}

/** Polls the status until `accept` holds: apply returns only once the change is in force. */
export function waitForStatus(cluster: LocalCluster, what: string, accept: (status: LocalClusterStatus) => boolean, timeoutMs = 120_000): Promise<LocalClusterStatus> {
  return requireRuntime.net().waitFor(what, async () => {
    const status = await clusterStatus(cluster);
    return accept(status) ? status : undefined;
  }, { timeoutMs, intervalMs: 250 });
}

// A 409 means another change of the rule (a switchover, a policy change, an election) is
// under way; Terraform applies independent resources in parallel, so wait for it and retry.
const CONFLICT_RETRY_MS = 120_000;

/** Calls the orchestrators' admin API (any of them answers) with the cluster's bearer token. */
export async function callOrchestrator<T>(cluster: LocalCluster, request: { method: 'GET' | 'POST'; path: string; body?: unknown }): Promise<T> {
  const { AdminCallError } = requireRuntime.admin();
  const deadline = Date.now() + CONFLICT_RETRY_MS;
  for (;;) {
    try {
      return await requireRuntime.orchestrator().callOrchestrator<T>(cluster.layout, { ...request, timeoutMs: 180_000 });
    } catch (error) {
      if (!(error instanceof AdminCallError && error.status === 409) || Date.now() > deadline) throw error;
      await sleep(500);
    }
  }
}

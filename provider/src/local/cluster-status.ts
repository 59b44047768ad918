/** Live status of a local cluster (rule from etcd plus each pooler's report), as `polygres status --json` gives it. */
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

/** Calls the orchestrators' admin API (any of them answers) with the cluster's bearer token. */
export function callOrchestrator<T>(cluster: LocalCluster, request: { method: 'GET' | 'POST'; path: string; body?: unknown }): Promise<T> {
  return requireRuntime.orchestrator().callOrchestrator<T>(cluster.layout, { ...request, timeoutMs: 180_000 });
}

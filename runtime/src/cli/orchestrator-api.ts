import { callAnyOrchestrator, type OrchestratorRequest } from '../admin/orchestrator-client';
import { requestSwitchover, type SwitchoverOutcome } from '../admin/switchover-request';
import type { ClusterLayout } from '../deployment/layout';
import { readSecrets } from '../deployment/secrets';
import { openTopoStore } from '../deployment/topo-access';

/** Calls the first orchestrator of this machine's cluster that answers (admin/orchestrator-client.ts). */
export async function callOrchestrator<T>(layout: ClusterLayout, request: OrchestratorRequest): Promise<T> {
  return callAnyOrchestrator<T>(layout.orchestrators, readSecrets(layout.secretsFile).adminToken, request);
}

/** A switchover of this machine's cluster, followed to its end through etcd (admin/switchover-request.ts). */
export async function switchOverCluster(layout: ClusterLayout, to?: string): Promise<SwitchoverOutcome> {
  const topo = openTopoStore(layout);
  try {
    return await requestSwitchover({
      orchestrators: layout.orchestrators,
      adminToken: readSecrets(layout.secretsFile).adminToken,
      readRule: async () => (await topo.getRule())?.value,
      ...(to ? { to } : {}),
    });
  } finally {
    topo.close();
  }
}

/** How a switchover ended, in one line. */
export function describeSwitchover(result: SwitchoverOutcome): string {
  const lost = result.takenOver ? ' (the orchestrator asked was lost; another finished the election)' : '';
  return `term ${result.term}: ${result.primary} is primary (was ${result.previousPrimary}); took ${result.durationMs} ms${lost}`;
}

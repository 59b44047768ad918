import { callAnyOrchestrator, type OrchestratorRequest } from '../admin/orchestrator-client';
import type { ClusterLayout } from '../deployment/layout';
import { readSecrets } from '../deployment/secrets';

/** Calls the first orchestrator of this machine's cluster that answers (admin/orchestrator-client.ts). */
export async function callOrchestrator<T>(layout: ClusterLayout, request: OrchestratorRequest): Promise<T> {
  return callAnyOrchestrator<T>(layout.orchestrators, readSecrets(layout.secretsFile).adminToken, request);
}

import { AdminCallError, callAdmin } from '../admin/http-client';
import type { ClusterLayout } from '../deployment/layout';
import { readSecrets } from '../deployment/secrets';

/**
 * Calls the admin API of the first orchestrator that answers: any of them can act, and
 * terms make it safe when two do.
 */
export async function callOrchestrator<T>(layout: ClusterLayout, request: OrchestratorRequest): Promise<T> {
  return callAnyOrchestrator<T>(layout.orchestrators, readSecrets(layout.secretsFile).adminToken, request);
}

export interface OrchestratorRequest {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly body?: unknown;
  readonly timeoutMs?: number;
}

/** The same for orchestrators known by address and token alone (a cluster this machine did not start). */
export async function callAnyOrchestrator<T>(orchestrators: readonly { name: string; host: string; adminPort: number }[], adminToken: string, request: OrchestratorRequest): Promise<T> {
  const failures: string[] = [];
  for (const orchestrator of orchestrators) {
    try {
      return await callAdmin<T>({ host: orchestrator.host, port: orchestrator.adminPort, token: adminToken, ...request });
    } catch (error) {
      // An answer with an error is the cluster speaking: do not ask the next orchestrator.
      if (error instanceof AdminCallError) throw error;
      failures.push(`${orchestrator.name}: ${(error as Error).message}`);
    }
  }
  throw new Error(`no orchestrator answered:\n  ${failures.join('\n  ')}`);
}

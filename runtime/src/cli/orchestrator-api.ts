import { AdminCallError, callAdmin } from '../admin/http-client';
import type { ClusterLayout } from '../local/layout';
import { readSecrets } from '../local/secrets';

/**
 * Calls the admin API of the first orchestrator that answers: any of them can act, and
 * terms make it safe when two do.
 */
export async function callOrchestrator<T>(layout: ClusterLayout, request: { method: 'GET' | 'POST'; path: string; body?: unknown; timeoutMs?: number }): Promise<T> {
  const { adminToken } = readSecrets(layout.secretsFile);
  const failures: string[] = [];
  for (const orchestrator of layout.orchestrators) {
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

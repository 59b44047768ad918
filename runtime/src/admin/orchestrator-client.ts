/**
 * Calls the admin API of the first orchestrator that answers: any of them can act, and terms
 * make it safe when two do. Used by the CLI and by a pooler handing its primary role over.
 */
import { AdminCallError, callAdmin } from './http-client';

export interface OrchestratorRequest {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly body?: unknown;
  readonly timeoutMs?: number;
}

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

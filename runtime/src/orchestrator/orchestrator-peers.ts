/**
 * What one orchestrator asks another: whether it still runs an election. A process that died
 * refuses the connection at once, and one restarted in its place (same name, same port) does
 * not run the election its predecessor took: either way the election is abandoned and can be
 * taken over now, without waiting for the holder's lease to lapse. A peer that does not
 * answer (a lost node, a partition) says nothing: its lease decides.
 */
import { callAdmin } from '../admin/http-client';
import type { ClusterLayout } from '../deployment/layout';

export type ElectionHolderState = 'running' | 'gone' | 'unknown';

const ASK_TIMEOUT_MS = 500;

export class OrchestratorPeers {
  /** The elections this process runs now, by term (GET /v1/elections). */
  readonly runningHere = new Set<number>();

  constructor(private readonly layout: ClusterLayout, private readonly me: string, private readonly token: string) {}

  async holderOf(election: { term: number; by: string }): Promise<ElectionHolderState> {
    if (election.by === this.me) return this.runningHere.has(election.term) ? 'running' : 'gone';
    const peer = this.layout.orchestrators.find((orchestrator) => orchestrator.name === election.by);
    if (!peer) return 'unknown';
    try {
      const { running } = await callAdmin<{ running: number[] }>({ host: peer.host, port: peer.adminPort, token: this.token, path: '/v1/elections', timeoutMs: ASK_TIMEOUT_MS });
      return running.includes(election.term) ? 'running' : 'gone';
    } catch (error) {
      return connectionRefused(error) ? 'gone' : 'unknown';
    }
  }
}

function connectionRefused(error: unknown): boolean {
  const cause = (error as { cause?: { code?: string } }).cause;
  return cause?.code === 'ECONNREFUSED';
}

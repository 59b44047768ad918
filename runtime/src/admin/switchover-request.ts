/**
 * Asks for a switchover and follows it to its end, whichever orchestrator ends it. The one
 * asked may be lost mid-way: another then takes its election over (a lease lapses:
 * orchestrator/analyzers/stale-election.ts) and the answer never comes. Asking the next
 * orchestrator then would start a second election on top of the first, so a lost answer is
 * followed in the rule instead (read from etcd), to the term that ends it; only an
 * orchestrator that never took the request (the rule did not move) is passed over.
 */
import type { ShardRule } from '../topo/records';
import { sleep } from '../util/net';
import { AdminCallError, callAdmin } from './http-client';

export interface SwitchoverOutcome {
  readonly term: number;
  readonly primary: string;
  readonly previousPrimary: string;
  readonly durationMs: number;
  /** The orchestrator asked was lost and another finished the election. */
  readonly takenOver: boolean;
}

export interface SwitchoverRequest {
  readonly orchestrators: readonly { name: string; host: string; adminPort: number }[];
  readonly adminToken: string;
  /** The rule as etcd holds it now. */
  readonly readRule: () => Promise<ShardRule | undefined>;
  readonly to?: string;
  readonly timeoutMs?: number;
}

const FOLLOW_INTERVAL_MS = 200;

export async function requestSwitchover(request: SwitchoverRequest): Promise<SwitchoverOutcome> {
  const started = Date.now();
  const deadline = started + (request.timeoutMs ?? 120_000);
  const before = await request.readRule();
  if (!before) throw new Error('the cluster has no rule yet');
  const failures: string[] = [];
  for (const orchestrator of request.orchestrators) {
    try {
      const result = await callAdmin<{ term: number; primary: string; previousPrimary: string; durationMs: number }>({
        host: orchestrator.host,
        port: orchestrator.adminPort,
        token: request.adminToken,
        method: 'POST',
        path: '/v1/switchover',
        body: request.to ? { to: request.to } : {},
        timeoutMs: Math.max(1_000, deadline - Date.now()),
      });
      return { term: result.term, primary: result.primary, previousPrimary: result.previousPrimary, durationMs: result.durationMs, takenOver: false };
    } catch (error) {
      // An answer with an error is the cluster speaking (refused, failed): say it as it is.
      if (error instanceof AdminCallError) throw error;
      failures.push(`${orchestrator.name}: ${(error as Error).message}`);
      const now = await request.readRule().catch(() => undefined);
      if (now && (now.term > before.term || now.status === 'electing')) return follow(request, before, started, deadline);
    }
  }
  throw new Error(`no orchestrator answered:\n  ${failures.join('\n  ')}`);
}

/** Waits for the term that ends the election under way, and tells what it decided. */
async function follow(request: SwitchoverRequest, before: ShardRule, started: number, deadline: number): Promise<SwitchoverOutcome> {
  for (;;) {
    const rule = await request.readRule().catch(() => undefined);
    if (rule?.status === 'serving' && rule.term > before.term) {
      if (rule.primary === before.primary) {
        throw new Error(`the orchestrator running the switchover was lost; the election was taken over and ${rule.primary} is primary again (term ${rule.term}): ask again`);
      }
      return { term: rule.term, primary: rule.primary, previousPrimary: before.primary, durationMs: Date.now() - started, takenOver: true };
    }
    if (Date.now() > deadline) throw new Error(`the orchestrator running the switchover was lost and no election ended it in time (the rule is ${rule ? `${rule.status} at term ${rule.term}` : 'unreadable'})`);
    await sleep(FOLLOW_INTERVAL_MS);
  }
}

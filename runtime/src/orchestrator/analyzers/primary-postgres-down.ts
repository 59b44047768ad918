import type { InstancePhase } from '../../postgres/instance-status';
import { type Analyzer, servingPrimary } from './problem';

/**
 * Seen twice (a loop tick apart) is enough: the pooler reports a fact, that the postmaster is
 * gone (an exited, unreaped one counts as gone), not a timeout that might pass. Nothing brings a
 * dead postmaster back but the pooler's restart in place, which waits for an election first.
 */
export const DEAD_PRIMARY_GRACE_MS = 250;
/** A primary the pooler is starting (a restart asked for, or in place after no election came): as long as a start takes. */
export const STARTING_PRIMARY_GRACE_MS = 5_000;

/**
 * Phases in which no postmaster is expected yet: the pooler is starting it, or has just started
 * itself and not yet read the rule (a whole cluster started again: the pooler starts its
 * Postgres as soon as it has the rule). Without the second, an orchestrator that read a
 * restarted cluster's poolers before they read the rule failed the primary over to whichever
 * standby came up first — 250 ms after start, on a loaded machine (CI, 2026-12-04).
 */
export function startingOnPurpose(phase: InstancePhase): boolean {
  return phase === 'starting' || phase === 'waiting-for-rule';
}

/**
 * The primary's pooler answers and says its Postgres is not running: fail over. (Its pooler
 * restarts it in place only if no election comes within a few seconds.) Failing over sooner or
 * later changes nothing about safety — the recruit quorum and the rule's synchronous commit
 * decide that — only how long clients wait.
 */
export const primaryPostgresDown: Analyzer = (snapshot) => {
  const primary = servingPrimary(snapshot);
  if (!primary?.status || primary.status.postmasterPid !== null) return [];
  return [{
    key: `primary-postgres-down:${primary.name}`,
    description: `primary ${primary.name}: Postgres is not running (${primary.status.error ?? 'no postmaster'})`,
    graceMs: startingOnPurpose(primary.status.phase) ? STARTING_PRIMARY_GRACE_MS : DEAD_PRIMARY_GRACE_MS,
    fix: { kind: 'failover', reason: `Postgres on primary ${primary.name} is down` },
  }];
};

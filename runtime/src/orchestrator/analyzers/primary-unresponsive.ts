import { type Analyzer, servingPrimary } from './problem';
import { STARTING_PRIMARY_GRACE_MS } from './primary-postgres-down';

/** How long a running primary's postmaster may leave health queries unanswered (past the pooler's own busy grace). */
export const UNRESPONSIVE_PRIMARY_GRACE_MS = 800;

/**
 * The primary's postmaster exists but does not answer health queries within their deadline:
 * frozen, overloaded past use, or wedged. Fail over; the recruit fences it with SIGKILL.
 * A primary its pooler is restarting on purpose (phase 'starting') answers "shutting down",
 * then "starting up", for as long as a stop and a start take: it gets the same grace as a
 * restart with no postmaster at all.
 */
export const primaryUnresponsive: Analyzer = (snapshot) => {
  const primary = servingPrimary(snapshot);
  if (!primary?.status || primary.status.postmasterPid === null || primary.status.healthy) return [];
  return [{
    key: `primary-unresponsive:${primary.name}`,
    description: `primary ${primary.name}: Postgres does not answer health queries (${primary.status.error ?? 'timeout'})`,
    graceMs: primary.status.phase === 'starting' ? STARTING_PRIMARY_GRACE_MS : UNRESPONSIVE_PRIMARY_GRACE_MS,
    fix: { kind: 'failover', reason: `primary ${primary.name} does not answer` },
  }];
};

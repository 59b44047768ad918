import { type Analyzer, servingPrimary } from './problem';

/**
 * The primary's postmaster exists but does not answer health queries within their deadline:
 * frozen, overloaded past use, or wedged. Fail over; the recruit fences it with SIGKILL.
 */
export const primaryUnresponsive: Analyzer = (snapshot) => {
  const primary = servingPrimary(snapshot);
  if (!primary?.status || primary.status.postmasterPid === null || primary.status.healthy) return [];
  return [{
    key: `primary-unresponsive:${primary.name}`,
    description: `primary ${primary.name}: Postgres does not answer health queries (${primary.status.error ?? 'timeout'})`,
    graceMs: 800,
    fix: { kind: 'failover', reason: `primary ${primary.name} does not answer` },
  }];
};

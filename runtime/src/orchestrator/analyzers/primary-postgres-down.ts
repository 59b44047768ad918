import { type Analyzer, servingPrimary } from './problem';

/**
 * The primary's pooler answers and says its Postgres is not running: fail over. (Its pooler
 * restarts it in place only if no election comes within a few seconds.)
 */
export const primaryPostgresDown: Analyzer = (snapshot) => {
  const primary = servingPrimary(snapshot);
  if (!primary?.status || primary.status.postmasterPid !== null) return [];
  return [{
    key: `primary-postgres-down:${primary.name}`,
    description: `primary ${primary.name}: Postgres is not running (${primary.status.error ?? 'no postmaster'})`,
    graceMs: 500,
    fix: { kind: 'failover', reason: `Postgres on primary ${primary.name} is down` },
  }];
};

import { type Analyzer, servingPrimary } from './problem';

/**
 * The primary's pooler does not answer. On its own that is a pooler crash (the supervisor
 * restarts it); together with every reachable standby having lost its WAL stream it is the
 * primary's node gone, and we fail over.
 */
export const primaryPoolerUnreachable: Analyzer = (snapshot) => {
  const primary = servingPrimary(snapshot);
  if (!primary || primary.status) return [];
  const standbys = primary.rule.members
    .filter((name) => name !== primary.name)
    .map((name) => snapshot.statuses.get(name))
    .filter((status) => status !== undefined);
  const streaming = standbys.filter((status) => status.walReceiver === 'streaming');
  if (standbys.length > 0 && streaming.length === 0) {
    return [{
      key: `primary-node-lost:${primary.name}`,
      description: `primary ${primary.name}: its pooler is unreachable and no standby receives WAL from it`,
      graceMs: 1_500,
      fix: { kind: 'failover', reason: `primary ${primary.name} unreachable and standbys lost their WAL stream` },
    }];
  }
  return [{
    key: `primary-pooler-unreachable:${primary.name}`,
    description: `primary ${primary.name}: its pooler is unreachable (standbys still stream from its Postgres)`,
    graceMs: 0,
    fix: { kind: 'report' },
  }];
};

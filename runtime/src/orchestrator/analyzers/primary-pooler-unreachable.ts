import { type Analyzer, servingPrimary } from './problem';

/**
 * The primary's pooler does not answer. On its own that is a pooler crash (the supervisor
 * restarts it); together with every reachable standby having lost its WAL stream it is the
 * primary's node gone, and we fail over. Only a standby whose Postgres runs has a stream to
 * lose: one whose pooler has not started it yet (a whole cluster started again, the primary's
 * pooler a moment slower than the others) says nothing about the primary.
 */
export const primaryPoolerUnreachable: Analyzer = (snapshot) => {
  const primary = servingPrimary(snapshot);
  if (!primary || primary.status) return [];
  const standbys = primary.rule.members
    .filter((name) => name !== primary.name)
    .map((name) => snapshot.statuses.get(name))
    .filter((status) => status !== undefined)
    .filter((status) => status.postmasterPid !== null);
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

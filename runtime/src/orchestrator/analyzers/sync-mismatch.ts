import { syncStandbyNames } from '../../consensus/sync-standby-names';
import { type Analyzer, servingPrimary } from './problem';

/** The primary runs another synchronous configuration than its rule (its pooler converges it). */
export const syncMismatch: Analyzer = (snapshot) => {
  const primary = servingPrimary(snapshot);
  if (!primary?.status?.healthy || primary.rule.pendingSync) return [];
  const expected = syncStandbyNames(primary.rule.sync);
  if (primary.status.syncStandbyNames === expected) return [];
  return [{
    key: `sync-mismatch:${primary.name}`,
    description: `primary ${primary.name} runs synchronous_standby_names '${primary.status.syncStandbyNames}' but its rule says '${expected}'`,
    graceMs: 0,
    fix: { kind: 'report' },
  }];
};

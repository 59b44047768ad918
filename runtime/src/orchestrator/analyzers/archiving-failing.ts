import { type Analyzer, servingPrimary } from './problem';

/** The primary's archiver has failed since it last succeeded: WAL is piling up unarchived. */
export const archivingFailing: Analyzer = (snapshot) => {
  const primary = servingPrimary(snapshot);
  const archiver = primary?.status?.archiver;
  if (!archiver?.lastFailedAt) return [];
  if (archiver.lastArchivedAt && archiver.lastArchivedAt >= archiver.lastFailedAt) return [];
  return [{
    key: 'archiving-failing',
    description: `WAL archiving is failing on ${primary!.name}: ${archiver.lastFailedWal ?? 'a segment'} failed at ${archiver.lastFailedAt} (${archiver.failedCount} failures); see the pgBackRest log`,
    graceMs: 0,
    fix: { kind: 'report' },
  }];
};

import type { Analyzer } from './problem';

/** The last scheduled backup failed: say so in status until one succeeds. */
export const backupFailed: Analyzer = (snapshot) => {
  const result = snapshot.backups?.state?.value.lastResult;
  if (result?.outcome !== 'failed') return [];
  return [{ key: 'backup-failed', description: `the last ${result.type} backup failed at ${result.at}: ${result.detail}`, graceMs: 0, fix: { kind: 'report' } }];
};

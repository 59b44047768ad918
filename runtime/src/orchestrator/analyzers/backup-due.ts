import { nextCronRun } from '../../util/cron-schedule';
import { type Analyzer, servingPrimary } from './problem';

/** A backup running longer than this is presumed abandoned (its orchestrator died). */
export const STALE_BACKUP_MS = 12 * 3_600_000;
const RETRY_AFTER_FAILURE_MS = 60_000;

/**
 * A backup is due: the first full backup as soon as the cluster serves, then full, diff and
 * incr backups when their schedules say so — one at a time across all orchestrators.
 */
export const backupDue: Analyzer = (snapshot) => {
  const backups = snapshot.backups;
  const primary = servingPrimary(snapshot);
  if (!backups || !primary?.status?.healthy) return [];
  const state = backups.state?.value;
  if (state?.running && snapshot.at - Date.parse(state.running.since) < STALE_BACKUP_MS) return [];
  // After a failure, wait a minute before trying again (the stanza may still be on its way).
  if (state?.lastResult?.outcome === 'failed' && snapshot.at - Date.parse(state.lastResult.at) < RETRY_AFTER_FAILURE_MS) return [];
  const due = (type: 'full' | 'diff' | 'incr', since: string | undefined): boolean => {
    const text = backups.schedule[type];
    if (!text || !since) return false;
    const next = nextCronRun(text, new Date(since));
    return next !== undefined && next.getTime() <= snapshot.at;
  };
  const lastFull = state?.last.full;
  let type: 'full' | 'diff' | 'incr' | undefined;
  if (!lastFull || due('full', lastFull)) type = 'full';
  else if (due('diff', state?.last.diff && state.last.diff > lastFull ? state.last.diff : lastFull)) type = 'diff';
  else if (due('incr', [state?.last.incr, state?.last.diff, lastFull].filter((t): t is string => !!t).sort().at(-1))) type = 'incr';
  if (!type) return [];
  return [{
    key: `backup-due:${type}`,
    description: lastFull ? `a ${type} backup is due (${backups.schedule[type]})` : 'the first full backup has not been taken yet',
    graceMs: 0,
    fix: { kind: 'backup', type },
  }];
};

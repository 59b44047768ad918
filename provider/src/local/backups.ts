/** pgBackRest backups of a local cluster, through `polygres backup` and `polygres backups --json`. */
import { setTimeout as sleep } from 'node:timers/promises';
import { polygresOrThrow, runPolygres } from './polygres-cli';

export type BackupRecord = import('@polygres/runtime').BackupRecord;
type StanzaInfo = import('@polygres/runtime').StanzaInfo;

export async function listBackups(stateDir: string): Promise<readonly BackupRecord[]> {
  const info = JSON.parse(await polygresOrThrow('listing backups', ['backups', '--json', '--state-dir', stateDir])) as StanzaInfo;
  return info.backups;
}

// A scheduled backup (the first full one right after bootstrap, say) holds pgBackRest's lock.
const LOCK_WAIT_MS = 10 * 60_000;

/**
 * Takes a backup now and returns its record: the label that was not there before (pgBackRest
 * takes a full one when a diff or incr has no full to build on).
 */
export async function takeBackup(stateDir: string, type: string): Promise<BackupRecord> {
  const before = new Set((await listBackups(stateDir)).map((backup) => backup.label));
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    const result = await runPolygres(['backup', '--type', type, '--state-dir', stateDir]);
    if (result.code === 0) break;
    if (!/lock/i.test(result.output) || Date.now() > deadline) throw new Error(`taking a ${type} backup failed:\n${result.output.split('\n').slice(-30).join('\n')}`);
    await sleep(2_000);
  }
  const taken = (await listBackups(stateDir)).filter((backup) => !before.has(backup.label));
  const record = taken[taken.length - 1];
  if (!record) throw new Error(`polygres backup succeeded but no new backup is in the repository`);
  return record;
}

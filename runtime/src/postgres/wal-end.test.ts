import { describe, expect, it } from 'vitest';
import type { ControlData } from './control-data';
import { readWalEnd, recordEnd, walScanStart } from './wal-end';

const control: ControlData = { state: 'in archive recovery', checkpointLsn: '0/E000060', redoLsn: '0/E000028', minRecoveryEndLsn: '0/11000000', timeline: 1 };
const files = ['000000010000000000000003', '00000001000000000000000E', '00000001000000000000000F', 'archive_status'];
// As pg_waldump 15 prints them.
const SWITCH = 'rmgr: XLOG        len (rec/tot):     24/    24, tx:          0, lsn: 0/11000110, prev 0/110000D8, desc: SWITCH ';
const COMMIT = 'rmgr: Transaction len (rec/tot):     34/    34, tx:        751, lsn: 0/1A0001F0, prev 0/1A0001B0, desc: COMMIT 2026-12-05 10:01:31.123456 UTC';

describe('where the WAL in the files ends', () => {
  it('starts at the latest checkpoint’s redo when that is on the newest timeline', () => {
    expect(walScanStart('/d/pg_wal', control, files)).toEqual(['--timeline', '1', '--start', '0/E000028']);
  });

  it('starts at the newest timeline’s first file when the checkpoint is on an older one (a standby that followed a promotion)', () => {
    const withNewer = [...files, '00000002.history', '00000002000000000000000F', '000000020000000000000010', '00000001000000000000000F.partial'];
    expect(walScanStart('/d/pg_wal', control, withNewer)).toEqual(['/d/pg_wal/00000002000000000000000F']);
  });

  it('has nowhere to start without a segment file', () => {
    expect(walScanStart('/d/pg_wal', control, ['archive_status', '00000002.history'])).toBeUndefined();
  });

  it('ends where the last whole record ends: its position plus its total length', () => {
    expect(recordEnd(SWITCH)).toBe('0/11000128');
    expect(recordEnd(COMMIT)).toBe('0/1A000212');
    expect(() => recordEnd('pg_waldump: first record is after 0/E000028, at 0/E000030')).toThrow(/not a pg_waldump record line/);
  });

  it('reads the end from the last record printed, whichever way pg_waldump met the end', async () => {
    const dumpEnding = (stderr: string) => async () => ({ lastLine: COMMIT, stderr });
    expect(await readWalEnd('/d/pg_wal', control, files, dumpEnding('pg_waldump: error: error in WAL record at 0/1A0001F0: invalid record length at 0/1A000218: wanted 24, got 0'))).toBe('0/1A000212');
    expect(await readWalEnd('/d/pg_wal', control, files, dumpEnding('pg_waldump: error: could not find file "00000001000000000000001B": No such file or directory'))).toBe('0/1A000212');
  });

  it('says it does not know when pg_waldump stopped for another reason, and reports none when it found no record', async () => {
    await expect(readWalEnd('/d/pg_wal', control, files, async () => ({ lastLine: COMMIT, stderr: 'pg_waldump: error: could not open directory "/d/pg_wal": Permission denied' }))).rejects.toThrow(/stopped before the end/);
    expect(await readWalEnd('/d/pg_wal', control, files, async () => ({ lastLine: undefined, stderr: 'pg_waldump: error: could not find a valid record after 0/E000028' }))).toBeNull();
    expect(await readWalEnd('/d/pg_wal', control, [], async () => ({ lastLine: COMMIT, stderr: '' }))).toBeNull();
  });
});

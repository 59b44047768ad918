/**
 * Where the WAL a data directory holds ends, read from its files with pg_waldump — for a
 * recruited standby whose server cannot answer (starting, not yet consistent, or hung), so the
 * election learns what it holds. pg_control's minimum recovery point is only a lower bound:
 * reported instead, it could rank first a standby that lacks a commit only this one flushed.
 *
 * The end is that of the last whole record. A commit is acknowledged only once its record is
 * flushed whole on the quorum, so every acknowledged commit this node flushed lies below it;
 * a record cut short at the end was acknowledged by nobody here.
 */
import { join } from 'node:path';
import { formatLsn, parseLsn } from '../consensus/lsn';
import type { ControlData } from './control-data';

/**
 * Runs pg_waldump with `args` and resolves, whatever its exit code (1 at the end of the WAL),
 * with the last line it printed (kept as it streams: a scan can print millions) and its errors.
 */
export type WalDump = (args: readonly string[]) => Promise<{ lastLine: string | undefined; stderr: string }>;

/** A WAL segment file's name: timeline, then the segment's number in two halves, 8 hex digits each. */
const SEGMENT = /^[0-9A-F]{24}$/;

/** Where to start reading: the latest checkpoint's redo when it is on the newest timeline, else the newest timeline's first segment. */
export function walScanStart(walDir: string, control: ControlData, fileNames: readonly string[]): string[] | undefined {
  // Names sort by timeline, then by position: the last one is on the newest timeline.
  const segments = fileNames.filter((name) => SEGMENT.test(name)).sort();
  const newest = segments.at(-1)?.slice(0, 8);
  if (!newest) return undefined;
  const timeline = Number.parseInt(newest, 16);
  if (control.timeline === timeline && control.redoLsn) return ['--timeline', String(timeline), '--start', control.redoLsn];
  // A standby that followed a new timeline may not have replayed (or checkpointed) onto it yet:
  // what it received lies in that timeline's files, from the first one on.
  return [join(walDir, segments.find((name) => name.startsWith(newest))!)];
}

/** How pg_waldump says it reached the end: a record that is not whole, or no next segment file. */
const END_OF_WAL = /error in WAL record at|could not find file/;

/** The end of the record pg_waldump printed on `line` (its position plus its total length). */
export function recordEnd(line: string): string {
  const found = /len \(rec\/tot\):\s*\d+\/\s*(\d+),.*\blsn: ([0-9A-F]+\/[0-9A-F]+)/.exec(line);
  if (!found) throw new Error(`not a pg_waldump record line: ${line.trim()}`);
  return formatLsn(parseLsn(found[2]) + BigInt(found[1]!));
}

/** The end of the last whole WAL record in `walDir`; null when not one record can be read; throws when pg_waldump stopped short of the end. */
export async function readWalEnd(walDir: string, control: ControlData, fileNames: readonly string[], dump: WalDump): Promise<string | null> {
  const from = walScanStart(walDir, control, fileNames);
  if (!from) return null;
  const { lastLine, stderr } = await dump(['--path', walDir, ...from]);
  if (/could not find a valid record/.test(stderr)) return null;
  // Anything else (a file it may not read, say) leaves the end unknown, and the caller must not guess.
  if (!END_OF_WAL.test(stderr)) throw new Error(`pg_waldump stopped before the end of the WAL: ${stderr.trim() || 'no message'}`);
  if (!lastLine?.includes('lsn: ')) throw new Error(`pg_waldump read no record: ${stderr.trim()}`);
  return recordEnd(lastLine);
}

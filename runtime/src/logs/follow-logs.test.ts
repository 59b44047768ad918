import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../util/net';
import { followLogs } from './follow-logs';
import type { LogRecord, LogSource } from './log-record';
import { LogSourceReader } from './log-source-reader';
import { shiftRotated } from './rotating-file';

const dirs: string[] = [];
const stops: (() => void)[] = [];
afterEach(() => {
  for (const stop of stops.splice(0)) stop();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
const pino = (time: number, msg: string) => `${JSON.stringify({ level: 30, time, msg })}\n`;

describe('followLogs', () => {
  it('prints what each file gets after the backlog, across a rotation, and from files that appear later', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'follow-logs-test-'));
    dirs.push(dir);
    const source = (name: string): LogSource => ({ service: 'pooler', source: `pooler/${name}`, file: join(dir, `${name}.log`), names: [name], identity: [] });
    const [a, b, later] = [source('a'), source('b'), source('later')];
    writeFileSync(a.file, pino(1, 'a backlog'));
    const sources = [a, b];
    const readers = sources.map((s) => new LogSourceReader(s, () => undefined));
    const backlog = readers.flatMap((reader) => [...reader.backlog(undefined, false)]);
    expect(backlog.map((r) => r.msg)).toEqual(['a backlog']);

    const seen: LogRecord[] = [];
    const following = followLogs({ readers, sources: () => sources, onRecord: (r) => seen.push(r), onProblem: () => undefined, intervalMs: 20 });
    stops.push(following.stop);
    const saw = (msg: string) => waitFor(msg, () => (seen.some((r) => r.msg === msg) ? true : undefined), { timeoutMs: 10_000, intervalMs: 20 });

    appendFileSync(a.file, pino(2, 'a one'));
    writeFileSync(b.file, pino(3, 'b appeared'));
    await saw('b appeared');
    await saw('a one');
    // Rotated the way the supervisor does: renamed, a line more in the old file, then a new file.
    shiftRotated(a.file, 5);
    appendFileSync(`${a.file}.1`, pino(4, 'a last of the old file'));
    writeFileSync(a.file, pino(5, 'a first of the new file'));
    await saw('a first of the new file');
    sources.push(later);
    writeFileSync(later.file, pino(6, 'from a new source'));
    await saw('from a new source');

    const of = (name: string) => seen.filter((r) => r.source === `pooler/${name}`).map((r) => r.msg);
    expect(of('a')).toEqual(['a one', 'a last of the old file', 'a first of the new file']);
    expect(of('b')).toEqual(['b appeared']);
    expect(of('later')).toEqual(['from a new source']);
  });
});

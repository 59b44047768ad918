import { appendFileSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { LogSource } from './log-record';
import { LogSourceReader } from './log-source-reader';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function sourceIn(service: LogSource['service'], files: Record<string, string>): LogSource {
  const dir = mkdtempSync(join(tmpdir(), 'source-reader-test-'));
  dirs.push(dir);
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return { service, source: `${service}/x`, file: join(dir, 'x.log'), names: [service], identity: [] };
}
const pino = (time: number, msg: string, level = 30) => `${JSON.stringify({ level, time, msg })}\n`;
const iso = (time: string) => Date.parse(time);

describe('LogSourceReader', () => {
  it("gives a line without a time the previous line's time and level: a Postgres error and its statement", () => {
    const source = sourceIn('postgres', {
      'x.log': [
        '2026-12-01 16:21:09.814 UTC [25103] postgres@postgres ERROR:  relation "t" does not exist',
        '2026-12-01 16:21:09.814 UTC [25103] postgres@postgres STATEMENT:  SELECT *',
        '\t  FROM t',
        '',
        '2026-12-01 16:21:10.000 UTC [25096] LOG:  checkpoint starting: time',
        '',
      ].join('\n'),
    });
    const records = [...new LogSourceReader(source, () => undefined).backlog(undefined, true)];
    expect(records.map((r) => [r.time, r.level, r.msg])).toEqual([
      [iso('2026-12-01T16:21:09.814Z'), 'error', 'relation "t" does not exist'],
      [iso('2026-12-01T16:21:09.814Z'), 'error', 'STATEMENT: SELECT *'],
      [iso('2026-12-01T16:21:09.814Z'), 'error', '\t  FROM t'],
      [iso('2026-12-01T16:21:10.000Z'), 'info', 'checkpoint starting: time'],
    ]);
    expect(records[0]).toMatchObject({ service: 'postgres', source: 'postgres/x', fields: { pid: 25103, user: 'postgres', db: 'postgres' } });
  });

  it("gives lines before the first timed one that line's time; with none at all, the file's", () => {
    const source = sourceIn('pooler', { 'x.log': `Debugger listening\n${pino(1000, 'a')}` });
    expect([...new LogSourceReader(source, () => undefined).backlog(undefined, true)].map((r) => [r.time, r.msg])).toEqual([[1000, 'Debugger listening'], [1000, 'a']]);
    const bare = sourceIn('pooler', { 'x.log': 'only text\n' });
    utimesSync(bare.file, 5, 5);
    expect([...new LogSourceReader(bare, () => undefined).backlog(undefined, true)].map((r) => r.time)).toEqual([5000]);
  });

  it('reads rotated predecessors only as far back as --since reaches, oldest first, from its time on', () => {
    const source = sourceIn('pooler', {
      'x.log.3': pino(iso('2026-12-01T10:00:00Z'), 'too old'),
      'x.log.2': pino(iso('2026-12-01T11:00:00Z'), 'old') + pino(iso('2026-12-01T12:00:00Z'), 'recent'),
      'x.log.1': pino(iso('2026-12-01T13:00:00Z'), 'newer'),
      'x.log': pino(iso('2026-12-01T14:00:00Z'), 'newest'),
    });
    utimesSync(`${source.file}.3`, new Date('2026-12-01T10:00:00Z'), new Date('2026-12-01T10:00:00Z'));
    utimesSync(`${source.file}.2`, new Date('2026-12-01T12:00:00Z'), new Date('2026-12-01T12:00:00Z'));
    const read = (since: number | undefined) => [...new LogSourceReader(source, () => undefined).backlog(since, true)].map((r) => r.msg);
    expect(read(iso('2026-12-01T11:30:00Z'))).toEqual(['recent', 'newer', 'newest']);
    expect(read(undefined)).toEqual(['newest']);
  });

  it('goes on with --follow from where the backlog ended: nothing twice, an unfinished line when it is finished', () => {
    const source = sourceIn('pooler', { 'x.log': `${pino(1, 'a')}{"level":30,"ti` });
    const reader = new LogSourceReader(source, () => undefined);
    expect([...reader.backlog(undefined, false)].map((r) => r.msg)).toEqual(['a']);
    appendFileSync(source.file, `me":2,"msg":"b"}\n${pino(3, 'c')}`);
    expect(reader.poll().map((r) => r.msg)).toEqual(['b', 'c']);
    expect(reader.poll()).toEqual([]);
    reader.close();
  });

  it('says once that a file cannot be read, and goes on', () => {
    const source = sourceIn('pooler', {});
    const problems: string[] = [];
    const reader = new LogSourceReader({ ...source, file: join(source.file, '..') }, (problem) => problems.push(problem));
    expect([...reader.backlog(undefined, false)]).toEqual([]);
    expect(reader.poll()).toEqual([]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^cannot read .*: EISDIR/);
  });
});

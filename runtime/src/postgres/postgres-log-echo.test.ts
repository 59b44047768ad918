import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../util/log';
import { echoPostgresLog } from './postgres-log-echo';

describe('echoing the Postgres log to the pooler output', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it('writes each new line as one record at its severity, continuation lines at the level of their message, and drains on stop', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pg-echo-'));
    dirs.push(dir);
    const file = join(dir, 'postgres.log');
    writeFileSync(file, '2026-12-02 10:00:00.000 UTC [7] LOG:  from the last run\n');
    const records: { level: number; component: string; source: string; msg: string }[] = [];
    const out = new Writable({ write: (chunk: Buffer, _encoding, done) => { records.push(JSON.parse(chunk.toString())); done(); } });
    const echo = echoPostgresLog(file, createLogger('postgres', { instance: 'a' }, out), 60_000);
    appendFileSync(file, [
      '2026-12-02 10:00:01.000 UTC [8] LOG:  database system is ready to accept connections',
      '2026-12-02 10:00:02.000 UTC [9] postgres@app ERROR:  relation "t" does not exist',
      '2026-12-02 10:00:02.000 UTC [9] postgres@app STATEMENT:  select * from t',
      '',
    ].join('\n'));
    echo.stop();
    expect(records.map((record) => [record.level, record.component, record.source, record.msg.replace(/^.*?\] /, '')])).toEqual([
      [30, 'postgres', 'postgres', 'LOG:  database system is ready to accept connections'],
      [50, 'postgres', 'postgres', 'postgres@app ERROR:  relation "t" does not exist'],
      [50, 'postgres', 'postgres', 'postgres@app STATEMENT:  select * from t'],
    ]);
  });
});

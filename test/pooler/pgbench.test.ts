/**
 * pgbench through the pooler in every protocol mode, with more clients than server
 * connections and one pgbench thread for all of them: -M prepared must work (PgBouncer 1.18
 * fails it outright), and libpq's synchronous PQprepare must not deadlock against the
 * transactions of the same thread's other clients.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type PoolerFixture, startPooler } from '../support/pooler-fixture';

const run = promisify(execFile);
const PGBENCH = '/usr/lib/postgresql/15/bin/pgbench';

describe('pgbench through the pooler', () => {
  let fixture: PoolerFixture;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    fixture = await startPooler(inject('testRoot'), { size: 2, queueTimeoutMs: 20_000 });
    env = { ...process.env, PGPASSWORD: fixture.postgres.password, PGUSER: 'postgres', PGHOST: '127.0.0.1', PGDATABASE: 'postgres' };
    await run(PGBENCH, ['-i', '-s', '1', '-q', '-p', String(fixture.postgres.port)], { env });
  });
  afterAll(async () => {
    await fixture?.stop();
  });

  for (const mode of ['simple', 'extended', 'prepared']) {
    for (const workload of [['-S'], []]) {
      it(`runs -M ${mode} ${workload.length ? 'select-only' : 'TPC-B'} with 6 clients on 2 server connections`, async () => {
        const { stdout } = await run(PGBENCH, ['-p', String(fixture.port), '-M', mode, '-c', '6', '-j', '1', '-t', '30', ...workload], { env, timeout: 60_000 });
        expect(stdout).toContain('number of transactions actually processed: 180/180');
        expect(stdout).toContain('number of failed transactions: 0');
      });
    }
  }
});

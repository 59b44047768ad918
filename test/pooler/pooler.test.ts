/**
 * The pooler against a real Postgres 15, driven by node-postgres: transaction pooling without
 * a mode switch. Each pinning reason pins and unpins; settings never leak from one session
 * to the next user of a connection; prepared statements are shared and prepared lazily; a
 * burst of 2,000 sessions over a pool of 10 completes without error or leaked connection.
 */
import type { Socket } from 'node:net';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { decodeBackend } from '../../runtime/src/protocol/decode-backend';
import { encodeFrontend } from '../../runtime/src/protocol/encode-frontend';
import { MessageFramer } from '../../runtime/src/protocol/framer';
import { waitFor } from '../../runtime/src/util/net';
import { type PoolerFixture, startPooler } from '../support/pooler-fixture';

/** Resolves 'pending' if `promise` has not settled within `ms` (to prove that something waits). */
function stillPending<T>(promise: Promise<T>, ms = 300): Promise<'pending' | 'settled'> {
  return Promise.race([promise.then(() => 'settled' as const, () => 'settled' as const), new Promise<'pending'>((r) => setTimeout(() => r('pending'), ms))]);
}

async function pid(client: Client): Promise<number> {
  return Number((await client.query('SELECT pg_backend_pid() AS pid')).rows[0].pid);
}

async function setting(client: Client, name: string): Promise<string> {
  return (await client.query(`SHOW ${name}`)).rows[0][name];
}

describe('pooler: one server connection shared by sessions', () => {
  let fixture: PoolerFixture;
  let a: Client;
  let b: Client;

  beforeAll(async () => {
    fixture = await startPooler(inject('testRoot'), { size: 1, queueTimeoutMs: 800 });
    a = await fixture.client({ application_name: 'session-a' });
    b = await fixture.client({ application_name: 'session-b' });
  });

  it('fails sessions waiting for a connection with 57P01 when the node accepts a new term (they were routed under the old one)', async () => {
    await a.query('BEGIN');
    await a.query('SELECT 1'); // a's transaction holds the pool's one connection from its first statement
    const waiting = b.query('SELECT 1');
    waiting.catch(() => undefined); // awaited below
    await waitFor('the session to queue', () => (fixture.pooler.poolStats()[0]?.waiting === 1 ? true : undefined), { timeoutMs: 700, intervalMs: 10 });
    fixture.pooler.turnAwayWaiters();
    await expect(waiting).rejects.toMatchObject({ code: '57P01', message: expect.stringContaining('changing roles') });
    await a.query('COMMIT');
    b = await fixture.client({ application_name: 'session-b' });
    expect((await b.query('SELECT 2 AS two')).rows[0].two).toBe(2);
  });

  it('says why no connection could be opened when Postgres is down, and recovers when it is back', async () => {
    await fixture.postgres.control.stop('fast');
    try {
      // Logging in needs a connection; the pool keeps trying until the queue timeout, then says why.
      await expect(fixture.client()).rejects.toMatchObject({ code: '53300', message: expect.stringContaining('the last attempt to open one failed') });
    } finally {
      await fixture.postgres.control.start();
    }
    const back = await waitFor('the pool to reconnect', async () => {
      const client = await fixture.client();
      await client.query('SELECT 1');
      return client;
    }, { timeoutMs: 15_000 });
    await back.end();
  });
  afterAll(async () => {
    await a?.end().catch(() => undefined);
    await b?.end().catch(() => undefined);
    await fixture?.stop();
  });

  it('lets two sessions take turns on one server connection', async () => {
    expect(await pid(a)).toBe(await pid(b));
  });

  it('keeps each session its own settings (a SET never leaks to the next user)', async () => {
    await a.query("SET statement_timeout = '1234'");
    await a.query("SELECT set_config('app.tenant', 'a', false)");
    expect(await setting(b, 'statement_timeout')).toBe('0');
    expect((await b.query("SELECT current_setting('app.tenant', true) AS t")).rows[0].t ?? '').toBe('');
    expect(await setting(a, 'statement_timeout')).toBe('1234ms');
    expect((await a.query("SELECT current_setting('app.tenant') AS t")).rows[0].t).toBe('a');
    expect(await setting(b, 'application_name')).toBe('session-b');
    expect(await setting(a, 'application_name')).toBe('session-a');
    await a.query('RESET statement_timeout');
    expect(await setting(a, 'statement_timeout')).toBe('0');
  });

  it('forgets settings made in a transaction that rolled back, keeps committed ones', async () => {
    await a.query('BEGIN');
    await a.query("SET work_mem = '2MB'");
    await a.query('ROLLBACK');
    expect(await setting(a, 'work_mem')).toBe('4MB');
    await a.query("BEGIN; SET work_mem = '3MB'; COMMIT");
    expect(await setting(b, 'work_mem')).toBe('4MB');
    expect(await setting(a, 'work_mem')).toBe('3MB');
    await a.query('RESET ALL');
    expect(await setting(a, 'work_mem')).toBe('4MB');
  });

  it('pins the connection for an open transaction from its first statement, and releases it at commit', async () => {
    await a.query('BEGIN');
    await a.query('SELECT 1');
    const waiting = b.query('SELECT 1');
    expect(await stillPending(waiting)).toBe('pending');
    await a.query('COMMIT');
    await expect(waiting).resolves.toBeDefined();
  });

  it("answers a lone BEGIN itself and sends it ahead of the transaction's first statement: no connection held in between, the transaction whole", async () => {
    await a.query('CREATE TABLE deferred_begin (x int)');
    expect((await a.query('BEGIN')).command).toBe('BEGIN');
    // The pool's one connection stays free while a's transaction has done nothing.
    expect((await b.query('SELECT 2 AS v')).rows[0].v).toBe(2);
    await a.query('INSERT INTO deferred_begin VALUES ($1)', [1]); // the extended protocol, behind the BEGIN
    const count = () => b.query('SELECT count(*)::int AS n FROM deferred_begin');
    const waiting = count();
    expect(await stillPending(waiting)).toBe('pending');
    await a.query('ROLLBACK');
    expect((await waiting).rows[0].n).toBe(0);
    // Another spelling; a first statement that fails leaves the transaction aborted, as on Postgres.
    await a.query('start transaction;');
    await expect(a.query('SELECT 1/0')).rejects.toMatchObject({ code: '22012' });
    await expect(a.query('INSERT INTO deferred_begin VALUES (2)')).rejects.toMatchObject({ code: '25P02' });
    expect((await a.query('ROLLBACK')).command).toBe('ROLLBACK');
    // A BEGIN with options goes to Postgres as it came, and takes the connection at once.
    await a.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
    const held = count();
    expect(await stillPending(held)).toBe('pending');
    expect((await a.query("SELECT current_setting('transaction_isolation') AS level")).rows[0].level).toBe('repeatable read');
    await a.query('INSERT INTO deferred_begin VALUES (3)');
    await a.query('COMMIT');
    expect((await held).rows[0].n).toBe(1); // it waited for the commit, which gave the connection back
    await a.query('DROP TABLE deferred_begin');
  });

  it('tells a session that waited too long why (53300)', async () => {
    await a.query('BEGIN');
    await a.query('SELECT 1');
    await expect(b.query('SELECT 1')).rejects.toMatchObject({ code: '53300', message: expect.stringContaining('became free within 800 ms') });
    await a.query('COMMIT');
    b = await fixture.client({ application_name: 'session-b' });
  });

  const pinCases: { reason: string; pin: string; unpin: string }[] = [
    { reason: 'temp-object', pin: 'CREATE TEMP TABLE scratch (x int)', unpin: 'DISCARD TEMP' },
    { reason: 'advisory-lock', pin: 'SELECT pg_advisory_lock(7)', unpin: 'SELECT pg_advisory_unlock(7)' },
    { reason: 'hold-cursor', pin: 'DECLARE held CURSOR WITH HOLD FOR SELECT generate_series(1, 3)', unpin: 'CLOSE held' },
    { reason: 'listen', pin: 'LISTEN jobs', unpin: 'UNLISTEN *' },
    { reason: 'sql-prepare', pin: 'PREPARE q AS SELECT 1', unpin: 'DEALLOCATE ALL' },
  ];
  for (const { reason, pin, unpin } of pinCases) {
    it(`pins for ${reason} and unpins after "${unpin}"`, async () => {
      await a.query(pin);
      expect(fixture.pooler.pinCounts().get(reason as never)).toBe(1);
      await expect(b.query('SELECT 1')).rejects.toMatchObject({ code: '53300' });
      await a.query(unpin);
      await waitFor('the pin to clear', () => (fixture.pooler.pinCounts().get(reason as never) === undefined ? true : undefined), { timeoutMs: 5_000, intervalMs: 10 });
      b = await fixture.client({ application_name: 'session-b' });
      await expect(b.query('SELECT 1')).resolves.toBeDefined();
    });
  }

  it('keeps an advisory lock pinned while another lock is still held', async () => {
    await a.query('SELECT pg_advisory_lock(1), pg_advisory_lock(2)');
    await a.query('SELECT pg_advisory_unlock(1)');
    // The pooler asks pg_locks after the unlock; lock 2 is still held, so the pin stays.
    await a.query('SELECT 1');
    expect(fixture.pooler.pinCounts().get('advisory-lock')).toBe(1);
    await a.query('SELECT pg_advisory_unlock(2)');
    await waitFor('the pin to clear', () => (fixture.pooler.pinCounts().get('advisory-lock') === undefined ? true : undefined), { timeoutMs: 5_000, intervalMs: 10 });
  });

  it('serves a WITH HOLD cursor across transactions while pinned', async () => {
    await a.query('DECLARE c2 CURSOR WITH HOLD FOR SELECT generate_series(1, 4) AS n');
    expect((await a.query('FETCH 2 FROM c2')).rows.map((r) => r.n)).toEqual([1, 2]);
    expect((await a.query('FETCH 2 FROM c2')).rows.map((r) => r.n)).toEqual([3, 4]);
    await a.query('CLOSE c2');
  });

  it('copies in and out through the pooler', async () => {
    await a.query('CREATE TABLE IF NOT EXISTS copied (id int, note text)');
    await a.query("COPY copied FROM PROGRAM 'printf \"1\\tone\\n2\\ttwo\\n\"'").catch(() => undefined);
    await a.query("INSERT INTO copied VALUES (3, 'three')");
    const out = await a.query('COPY (SELECT count(*) FROM copied) TO STDOUT');
    expect(out.command).toBe('COPY');
  });

  it('answers every statement a waiting session sent ahead, in order (past the 16 frames at which it stops reading)', async () => {
    const pipelining = await fixture.client({ application_name: 'pipelining' });
    // node-postgres sends one query at a time; a pipelining client does not: take its socket
    // over once it is logged in.
    const socket = (pipelining as unknown as { connection: { stream: Socket } }).connection.stream;
    socket.removeAllListeners('data');
    const values: string[] = [];
    let ready = 0;
    const framer = new MessageFramer();
    const answered = new Promise<void>((resolve) => {
      socket.on('data', (chunk: Buffer) =>
        framer.push(chunk, (code, buffer, _frame, body, end) => {
          const message = decodeBackend(code, buffer, body, end);
          if (message.type === 'dataRow') values.push(String(message.values[0]));
          if (message.type === 'readyForQuery' && ++ready === 40) resolve();
        }),
      );
    });
    await a.query('BEGIN');
    await a.query('SELECT 1');
    socket.write(Buffer.concat(Array.from({ length: 40 }, (_, i) => encodeFrontend({ type: 'query', sql: `SELECT ${i + 1}` }))));
    await waitFor('the session to queue', () => (fixture.pooler.poolStats()[0]?.waiting === 1 ? true : undefined), { timeoutMs: 700, intervalMs: 10 });
    await a.query('COMMIT');
    await answered;
    expect(values).toEqual(Array.from({ length: 40 }, (_, i) => String(i + 1)));
    socket.destroy();
  });
});

describe('pooler: prepared statements', () => {
  let fixture: PoolerFixture;

  beforeAll(async () => {
    fixture = await startPooler(inject('testRoot'), { size: 2, statementCacheSize: 3 });
  });
  afterAll(async () => {
    await fixture?.stop();
  });

  it('shares statements between sessions and prepares them lazily where they run', async () => {
    const one = await fixture.client();
    const two = await fixture.client();
    const query = { name: 'by-id', text: 'SELECT $1::int + 1 AS next', values: [41] };
    expect((await one.query(query)).rows[0].next).toBe(42);
    expect((await two.query({ ...query, name: 'other-name' })).rows[0].next).toBe(42);
    // The same client name keeps working whatever connection serves the next transaction.
    for (let i = 0; i < 10; i++) expect((await one.query({ ...query, values: [i] })).rows[0].next).toBe(i + 1);
    const text = await fixture.pooler.metrics.registry.getSingleMetricAsString('polygres_pooler_prepared_statement_cache_total');
    expect(text).toMatch(/result="hit"[^}]*} [1-9]/);
    await one.end();
    await two.end();
  });

  it('evicts least-recently-used statements past the cache bound and prepares them again', async () => {
    const client = await fixture.client();
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 6; i++) {
        const result = await client.query({ name: `s${i}`, text: `SELECT ${i} + $1::int AS v`, values: [1] });
        expect(result.rows[0].v).toBe(i + 1);
      }
    }
    await client.end();
  });

  it('reports errors of the extended protocol in order, and recovers at Sync', async () => {
    const client = await fixture.client();
    await expect(client.query({ name: 'bad', text: 'SELECT * FROM no_such_table', values: [] })).rejects.toMatchObject({ code: '42P01' });
    expect((await client.query({ name: 'good', text: 'SELECT 1 AS one', values: [] })).rows[0].one).toBe(1);
    await client.end();
  });

  it('works for new sessions after a pooler restart', async () => {
    await fixture.restart();
    const client = await fixture.client();
    expect((await client.query({ name: 'after', text: 'SELECT $1::text AS t', values: ['ok'] })).rows[0].t).toBe('ok');
    await client.end();
  });
});

describe('pooler: sessions, auth, cancel, bursts', () => {
  let fixture: PoolerFixture;

  beforeAll(async () => {
    fixture = await startPooler(inject('testRoot'), { size: 10, queueTimeoutMs: 30_000 });
    const admin = await fixture.postgres.connect();
    await admin.query("CREATE ROLE app LOGIN PASSWORD 'app-secret'");
    await admin.query("SET password_encryption = 'md5'; CREATE ROLE legacy LOGIN PASSWORD 'old'");
    await admin.end();
  });
  afterAll(async () => {
    await fixture?.stop();
  });

  it('authenticates with SCRAM: the right password works, a wrong one gets 28P01', async () => {
    const app = await fixture.client({ user: 'app', password: 'app-secret' });
    expect((await app.query('SELECT current_user AS u')).rows[0].u).toBe('app');
    await app.end();
    await expect(fixture.client({ user: 'app', password: 'nope' })).rejects.toMatchObject({ code: '28P01' });
    await expect(fixture.client({ user: 'nobody', password: 'x' })).rejects.toMatchObject({ code: '28P01' });
  });

  it('refuses md5 passwords with a message that says how to fix them', async () => {
    await expect(fixture.client({ user: 'legacy', password: 'old' })).rejects.toMatchObject({
      code: '28P01',
      message: expect.stringContaining("password_encryption = 'scram-sha-256'"),
    });
  });

  it('reports a database that does not exist', async () => {
    await expect(fixture.client({ database: 'nowhere' })).rejects.toMatchObject({ code: '3D000' });
  });

  it('routes a CancelRequest to the server connection running the query', async () => {
    const client = await fixture.client();
    const running = client.query('SELECT pg_sleep(30)');
    await new Promise((r) => setTimeout(r, 300));
    const canceller = new Client({ host: '127.0.0.1', port: fixture.port, user: 'postgres', password: fixture.postgres.password, database: 'postgres' });
    // node-postgres sends a CancelRequest with the BackendKeyData the pooler gave this client.
    (canceller as unknown as { cancel(target: Client, query: unknown): void }).cancel(client, (client as unknown as { activeQuery: unknown }).activeQuery);
    await expect(running).rejects.toMatchObject({ code: '57014' });
    await client.end();
  });

  it("gives a session back the connection it used last (nothing to reset), and a new session the one returned last", async () => {
    const clients = await Promise.all([1, 2, 3, 4].map(() => fixture.client()));
    try {
      // Four open transactions hold four connections; committing returns them in order.
      for (const client of clients) await client.query('BEGIN');
      const pids = await Promise.all(clients.map(pid));
      expect(new Set(pids).size).toBe(4);
      for (const client of clients) await client.query('COMMIT');
      // Each session finds its own connection idle again: no reset, no replay, its statements
      // still prepared there.
      for (let i = 0; i < 8; i++) expect(await pid(clients[i % 4]!)).toBe(pids[i % 4]);
      // A session that used none gets the most recently returned one (last in, first out, like
      // PgBouncer: light load stays on a few warm backends).
      const newcomer = await fixture.client();
      expect(await pid(newcomer)).toBe(pids[3]);
      await newcomer.end();
    } finally {
      await Promise.all(clients.map((client) => client.end()));
    }
  });

  it('completes a burst of 2,000 sessions over a pool of 10 without error or leaked connection', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 2_000 }, async (_, i) => {
        const client = await fixture.client({ user: 'app', password: 'app-secret' });
        try {
          return (await client.query('SELECT $1::int AS i', [i])).rows[0].i as number;
        } finally {
          await client.end();
        }
      }),
    );
    const failures = results.filter((result) => result.status === 'rejected');
    expect(failures.map((f) => String((f as PromiseRejectedResult).reason)).slice(0, 3)).toEqual([]);
    const stats = fixture.pooler.poolStats().find((pool) => pool.user === 'app')!;
    expect(stats.active + stats.idle).toBeLessThanOrEqual(10);
    expect(stats.active).toBe(0);
    const admin = await fixture.postgres.connect();
    const { rows } = await admin.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE usename = 'app'");
    await admin.end();
    expect(rows[0].n).toBeLessThanOrEqual(10);
    expect(fixture.pooler.sessionCount).toBe(0);
  });

  it('reconnects after Postgres restarts; a session between transactions does not even notice', async () => {
    const before = await fixture.client();
    await before.query('SELECT 1');
    await fixture.postgres.control.stop('fast');
    await fixture.postgres.control.start();
    expect((await before.query('SELECT 1 AS one')).rows[0].one).toBe(1);
    const after = await fixture.client();
    expect((await after.query('SELECT 2 AS two')).rows[0].two).toBe(2);
    await before.end();
    await after.end();
  });

  it('fails a session whose transaction was cut by a Postgres restart, cleanly', async () => {
    const client = await fixture.client();
    await client.query('BEGIN');
    await client.query('SELECT 1'); // the transaction is on the server from its first statement
    await fixture.postgres.control.stop('fast');
    await fixture.postgres.control.start();
    await expect(client.query('SELECT 1')).rejects.toBeDefined();
    const next = await fixture.client();
    expect((await next.query('SELECT 3 AS three')).rows[0].three).toBe(3);
    await next.end();
  });
});

/**
 * Pipelining against a real Postgres 15: with no server connection free, a session's single
 * plain statement is sent on a busy connection behind another session's, one deep (the first
 * suite) and three deep (the last). These
 * tests prove who gets which answer, that a slow statement holds up at most one other, that a
 * cancel reaches only the statement it was meant for, and that a session going away on either
 * side of the queue costs nobody else anything. The pool has one connection, and pipelining
 * is allowed behind statements of any age so that what queues where does not depend on timing.
 */
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { waitFor } from '../../runtime/src/util/net';
import { type PoolerFixture, type PoolerFixtureOptions, startPooler } from '../support/pooler-fixture';

type Row = { pid: number; v?: number };

/** Waits until Postgres runs `sql` (the statement ahead is running, not just sent). */
async function runningOn(fixture: PoolerFixture, sql: string): Promise<void> {
  const admin = await fixture.postgres.connect();
  try {
    await waitFor(`"${sql}" to run`, async () => ((await admin.query('SELECT 1 FROM pg_stat_activity WHERE query = $1', [sql])).rowCount ? true : undefined), { timeoutMs: 5_000, intervalMs: 10 });
  } finally {
    await admin.end();
  }
}

/**
 * A pooler with a pool of one connection for the suite that calls this (started before it,
 * with that connection already open, so what the tests time is statements), its sessions
 * (ended after it), and the pool's counters.
 */
function pipeliningSuite(options: PoolerFixtureOptions) {
  let started: PoolerFixture | undefined;
  const clients: Client[] = [];
  const suite = {
    get fixture(): PoolerFixture {
      return started!;
    },
    stats: () => suite.fixture.pooler.poolStats()[0]!,
    client: async (): Promise<Client> => {
      const made = await suite.fixture.client();
      clients.push(made);
      return made;
    },
    /** Waits until the pool has pipelined `count` statements in all. */
    pipelined: (count: number) => waitFor(`${count} pipelined statement(s)`, () => (suite.stats().pipelined === count ? true : undefined), { timeoutMs: 5_000, intervalMs: 5 }),
    /** Waits until `count` sessions wait for the connection. */
    waiting: (count: number) => waitFor(`${count} waiting session(s)`, () => (suite.stats().waiting === count ? true : undefined), { timeoutMs: 5_000, intervalMs: 5 }),
  };
  beforeAll(async () => {
    started = await startPooler(inject('testRoot'), { size: 1, ...options });
    await (await suite.client()).query('SELECT 1');
  });
  afterAll(async () => {
    await Promise.all(clients.map((made) => made.end().catch(() => undefined)));
    await started?.stop();
  });
  return suite;
}

describe('pooler: pipelining plain statements behind a busy connection', () => {
  const suite = pipeliningSuite({ queueTimeoutMs: 20_000, pipelineBehindMs: 600_000, pipelineDepth: 1 });
  const { client, stats, pipelined, waiting } = suite;
  const running = (sql: string) => runningOn(suite.fixture, sql);
  const one = async (query: Promise<{ rows: Row[] }>) => (await query).rows[0]!;
  const slow = 'SELECT pg_backend_pid() AS pid, pg_sleep(0.5)::text AS slept';
  /** Two new sessions, `a` running a half-second statement another may be pipelined behind. */
  const slowAhead = async () => {
    const [a, b] = [await client(), await client()];
    const before = stats().pipelined;
    const first = one(a.query(slow));
    first.catch(() => undefined); // a test may make `a` go away; one that awaits `first` still sees how it ended
    await running(slow);
    return { a, b, first, before };
  };
  /** The client's connection drops, as when its process dies. */
  const cutOff = (session: Client) => (session as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();

  it('sends a plain statement behind a running one, one deep: the next session waits for the connection', async () => {
    const [a, b, c] = [await client(), await client(), await client()];
    const before = stats().pipelined;
    const longer = 'SELECT pg_backend_pid() AS pid, pg_sleep(0.8)::text AS slept';
    const first = one(a.query(longer));
    await running(longer);
    const second = one(b.query('SELECT pg_backend_pid() AS pid, 2 AS v'));
    await pipelined(before + 1);
    const third = one(c.query('SELECT pg_backend_pid() AS pid, 3 AS v'));
    await waiting(1);
    // The second statement rides behind the first; the third does not ride behind the second.
    expect(stats().pipelined).toBe(before + 1);
    const order: string[] = [];
    const [x, y, z] = await Promise.all([first.then((row) => (order.push('a'), row)), second.then((row) => (order.push('b'), row)), third.then((row) => (order.push('c'), row))]);
    expect(order).toEqual(['a', 'b', 'c']);
    expect(y.v).toBe(2);
    expect(z.v).toBe(3);
    expect(new Set([x.pid, y.pid, z.pid]).size).toBe(1);
    expect(stats()).toMatchObject({ active: 0, idle: 1, waiting: 0 });
  });

  it('never pipelines behind a transaction, nor sends anything but one plain statement behind', async () => {
    const [a, b] = [await client(), await client()];
    const before = stats().pipelined;
    /** While a's statement runs, b's waits for the connection; a's answer comes; b's is returned unawaited. */
    const waitsItsTurn = async (sql: string) => {
      const ahead = 'SELECT pg_sleep(0.3)::text AS slept';
      const first = a.query(ahead);
      await running(ahead);
      const second = b.query(sql);
      await waiting(1);
      await first;
      return { second };
    };
    await a.query('BEGIN');
    const { second } = await waitsItsTurn('SELECT 2 AS v');
    await a.query('COMMIT');
    expect((await second).rows[0].v).toBe(2);
    // Two statements in one Query (one might begin a transaction) are not sent behind either.
    await (await waitsItsTurn('SELECT 2 AS v; SELECT 3 AS w')).second;
    expect(stats().pipelined).toBe(before);
  });

  it('holds a cancel for a pipelined statement until it runs: the statement ahead completes', async () => {
    const { b, first, before } = await slowAhead();
    const second = b.query('SELECT pg_sleep(30)').then(() => 'not cancelled', (error: unknown) => error);
    await pipelined(before + 1);
    const canceller = new Client({ host: '127.0.0.1', port: suite.fixture.port, user: 'postgres', password: suite.fixture.postgres.password, database: 'postgres' });
    (canceller as unknown as { cancel(target: Client, query: unknown): void }).cancel(b, (b as unknown as { activeQuery: unknown }).activeQuery);
    // Sent at once, the cancel would have hit the statement ahead, which runs on the same backend.
    expect(await first).toMatchObject({ pid: expect.any(Number) });
    expect(await second).toMatchObject({ code: '57014' });
    expect((await b.query('SELECT 1 AS v')).rows[0].v).toBe(1);
  });

  it('keeps the connection when a pipelined session goes away before its answer', async () => {
    const { a, b, first, before } = await slowAhead();
    b.query('SELECT pg_sleep(0.2)').catch(() => undefined);
    await pipelined(before + 1);
    cutOff(b);
    const { pid } = await first;
    // Its answer was waited out, and the connection went back to the pool, not to the bin.
    expect((await one(a.query('SELECT pg_backend_pid() AS pid'))).pid).toBe(pid);
  });

  it('passes the connection on when the session ahead goes away mid-statement', async () => {
    const { a, b, before } = await slowAhead();
    const second = one(b.query('SELECT pg_backend_pid() AS pid, 2 AS v'));
    await pipelined(before + 1);
    const { pid } = (await suite.fixture.postgres.connect().then(async (admin) => {
      try {
        return (await admin.query('SELECT pid FROM pg_stat_activity WHERE query = $1', [slow])).rows[0];
      } finally {
        await admin.end();
      }
    })) as { pid: number };
    cutOff(a);
    expect(await second).toEqual({ pid, v: 2 });
    expect((await one(b.query('SELECT pg_backend_pid() AS pid'))).pid).toBe(pid);
  });

  it('resets the connection in front of a pipelined statement: settings a function changed ahead of it do not reach it', async () => {
    const admin = await suite.fixture.postgres.connect();
    await admin.query(`CREATE FUNCTION slow_leak() RETURNS text LANGUAGE plpgsql AS $$
      BEGIN PERFORM set_config('search_path', 'leaked, public', false); PERFORM pg_sleep(0.5); RETURN current_setting('search_path'); END $$`);
    await admin.end();
    const [a, b] = [await client(), await client()];
    const before = stats().pipelined;
    const leaking = 'SELECT slow_leak() AS path, pg_backend_pid() AS pid';
    const first = a.query(leaking);
    await running(leaking);
    const second = b.query("SELECT current_setting('search_path') AS path, pg_backend_pid() AS pid");
    await pipelined(before + 1);
    const [ahead, behind] = [(await first).rows[0], (await second).rows[0]];
    expect(ahead.path).toBe('leaked, public');
    expect(behind).toEqual({ path: '"$user", public', pid: ahead.pid });
  });

  it('gives every session its own answers when forty share one connection by pipelining', async () => {
    const admin = await suite.fixture.postgres.connect();
    await admin.query('CREATE TABLE pipelined_writes (session int, seq int, PRIMARY KEY (session, seq))');
    await admin.end();
    const sessions = await Promise.all(Array.from({ length: 40 }, () => client()));
    const before = stats().pipelined;
    await Promise.all(
      sessions.map(async (session, s) => {
        for (let i = 0; i < 25; i++) {
          if (i % 5 === 0) await session.query(`INSERT INTO pipelined_writes VALUES (${s}, ${i})`);
          else expect((await session.query(`SELECT ${s * 1000 + i} AS v`)).rows[0].v).toBe(s * 1000 + i);
        }
      }),
    );
    const check = await suite.fixture.postgres.connect();
    const { rows } = await check.query('SELECT count(*)::int AS n, count(DISTINCT session)::int AS sessions FROM pipelined_writes');
    await check.end();
    expect(rows[0]).toEqual({ n: 200, sessions: 40 });
    // With one connection and forty busy sessions, some statements went behind others.
    expect(stats().pipelined).toBeGreaterThan(before);
    expect(stats()).toMatchObject({ active: 0, waiting: 0 });
  });
});

describe('pooler: pipelining waits until the pool cannot grow', () => {
  let fixture: PoolerFixture;

  beforeAll(async () => {
    fixture = await startPooler(inject('testRoot'), { size: 2, pipelineBehindMs: 600_000 });
  });
  afterAll(async () => {
    await fixture?.stop();
  });

  it('opens another connection rather than pipelining while the pool may still grow', async () => {
    const [a, b] = [await fixture.client(), await fixture.client()];
    try {
      await a.query('SELECT 1'); // one connection, with the clients' settings
      const slow = 'SELECT pg_backend_pid() AS pid, pg_sleep(0.5)::text AS slept';
      const first = a.query(slow);
      await runningOn(fixture, slow);
      const second = (await b.query('SELECT pg_backend_pid() AS pid')).rows[0].pid as number;
      // Answered on a second backend while the first statement still runs, nothing pipelined.
      expect(second).not.toBe((await first).rows[0].pid);
      expect(fixture.pooler.poolStats()[0]).toMatchObject({ pipelined: 0, active: 0, idle: 2 });
    } finally {
      await Promise.all([a.end(), b.end()]);
    }
  });
});

describe('pooler: pipelining three deep', () => {
  const suite = pipeliningSuite({ queueTimeoutMs: 20_000, pipelineBehindMs: 600_000, pipelineDepth: 3 });
  const { client, stats, pipelined, waiting } = suite;
  const slow = 'SELECT pg_backend_pid() AS pid, pg_sleep(0.5)::text AS slept';
  /** Sessions with a search_path of their own each, which must follow them onto the shared connection. */
  const withPaths = async (count: number) =>
    Promise.all(
      Array.from({ length: count }, async (_, index) => {
        const session = await client();
        await session.query(`SET search_path = schema_${index}, public`);
        return session;
      }),
    );
  const ownPath = "SELECT current_setting('search_path') AS path, pg_backend_pid() AS pid";

  it('queues three sessions behind a running statement, each with its own settings, and the next waits', async () => {
    const [ahead, ...behind] = await withPaths(5);
    const before = stats().pipelined;
    const first = ahead!.query(slow);
    await runningOn(suite.fixture, slow);
    const answers: Promise<{ rows: { path: string; pid: number }[] }>[] = [];
    for (const [index, session] of behind.slice(0, 3).entries()) {
      answers.push(session.query(ownPath));
      await pipelined(before + index + 1);
    }
    expect(stats().pipelined).toBe(before + 3);
    const fifth = behind[3]!.query(ownPath);
    await waiting(1);
    const { pid } = (await first).rows[0] as { pid: number };
    const rows = (await Promise.all([...answers, fifth])).map((result) => result.rows[0]!);
    expect(rows.map((row) => row.path)).toEqual([1, 2, 3, 4].map((index) => `schema_${index}, public`));
    expect(new Set(rows.map((row) => row.pid))).toEqual(new Set([pid]));
    expect(stats()).toMatchObject({ active: 0, idle: 1, waiting: 0 });
  });

  it('a session in the middle of the queue that goes away costs the others nothing', async () => {
    const [ahead, b, c, d] = await withPaths(4);
    const before = stats().pipelined;
    const first = ahead!.query(slow);
    await runningOn(suite.fixture, slow);
    const second = b!.query(ownPath);
    await pipelined(before + 1);
    c!.query('SELECT pg_sleep(0.2)').catch(() => undefined);
    await pipelined(before + 2);
    const fourth = d!.query(ownPath);
    await pipelined(before + 3);
    (c as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
    const { pid } = (await first).rows[0] as { pid: number };
    expect((await second).rows[0]).toEqual({ path: 'schema_1, public', pid });
    expect((await fourth).rows[0]).toEqual({ path: 'schema_3, public', pid });
    // Its answer was waited out and the connection went back to the pool.
    expect((await ahead!.query('SELECT pg_backend_pid() AS pid')).rows[0].pid).toBe(pid);
  });

  it('tells every queued session that the connection was lost, and each can go on', async () => {
    const [ahead, b, c] = await withPaths(3);
    const before = stats().pipelined;
    const settle = (query: Promise<unknown>) => query.then(() => 'answered', (error: Error) => error.message);
    const first = settle(ahead!.query(slow));
    await runningOn(suite.fixture, slow);
    const second = settle(b!.query(ownPath));
    await pipelined(before + 1);
    const third = settle(c!.query(ownPath));
    await pipelined(before + 2);
    const admin = await suite.fixture.postgres.connect();
    await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = $1', [slow]);
    await admin.end();
    for (const outcome of await Promise.all([first, second, third])) expect(outcome).toMatch(/terminat|connection to Postgres was lost/);
    // Each learned of it from its own session, and a new session is served on a new connection.
    const again = await client();
    expect((await again.query('SELECT 1 AS v')).rows[0].v).toBe(1);
  });
});

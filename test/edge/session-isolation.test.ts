/**
 * Exact session isolation through a real cluster: what a session does inside a function, a DO
 * block, a procedure or a trigger — settings, role, session authorization, temp tables, LISTEN,
 * advisory locks, SQL-prepared statements, cursors, sequence values — is never visible to any
 * later session on the same server connection. Pools have one connection per user and
 * database, so every later session provably runs on the backend the first one used (the test
 * checks the backend pid), through the primary zone's gateway (one hop: the gateway's own
 * pool) and through another zone's gateway (two hops: link, then the pooler's pool) — on
 * connections that hold no prepared statement of the pooler (reset with DISCARD ALL) and on
 * connections that do (reset with everything but DEALLOCATE, see handoff-reset.ts).
 */
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { defaultSpec } from '../../runtime/src/spec/defaults';
import { SUPERUSER } from '../../runtime/src/deployment/secrets';
import type { ClusterSpecInput } from '../../runtime/src/spec/schema';
import { type LocalCluster, startLocalCluster } from '../support/local-cluster';

const ALICE_PASSWORD = 'alice-isolation-secret';
const LATER_SESSIONS = 20;

/** Everything a later session must find at its defaults, in one row. */
const PROBE = `SELECT pg_backend_pid() AS pid,
  current_setting('search_path') AS search_path,
  current_setting('work_mem') AS work_mem,
  current_setting('statement_timeout') AS statement_timeout,
  current_setting('application_name') AS application_name,
  current_user::text AS current_user, session_user::text AS session_user,
  (SELECT count(*) FROM pg_listening_channels())::int AS listening,
  (SELECT count(*) FROM pg_prepared_statements WHERE from_sql)::int AS sql_prepared,
  (SELECT count(*) FROM pg_cursors WHERE name <> '')::int AS cursors, -- the probe's own portal, when prepared, is unnamed
  (SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid())::int AS advisory_locks,
  (SELECT count(*) FROM pg_class WHERE relnamespace = pg_my_temp_schema())::int AS temp_relations`;

const CLEAN = { search_path: '"$user", public', work_mem: '4MB', statement_timeout: '0', listening: 0, sql_prepared: 0, cursors: 0, advisory_locks: 0, temp_relations: 0 };

/** Objects the cases use; created once by the superuser. */
const SETUP = `
  CREATE ROLE alice LOGIN PASSWORD '${ALICE_PASSWORD}';
  CREATE SCHEMA evil; GRANT USAGE, CREATE ON SCHEMA evil TO alice;
  GRANT CREATE ON SCHEMA public TO alice;
  CREATE SEQUENCE leak_seq; GRANT USAGE ON SEQUENCE leak_seq TO alice;
  CREATE FUNCTION leak_settings() RETURNS void LANGUAGE plpgsql AS $$
  BEGIN
    PERFORM set_config('search_path', 'evil, public', false);
    PERFORM set_config('work_mem', '77MB', false);
    PERFORM set_config('statement_timeout', '123s', false);
  END $$;
  CREATE PROCEDURE leak_settings_proc() LANGUAGE plpgsql AS $$ BEGIN PERFORM leak_settings(); END $$;
  CREATE TABLE leak_trigger_target (x int); GRANT INSERT ON leak_trigger_target TO alice;
  CREATE FUNCTION leak_settings_trigger() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM leak_settings(); RETURN NEW; END $$;
  CREATE TRIGGER leak_settings BEFORE INSERT ON leak_trigger_target FOR EACH ROW EXECUTE FUNCTION leak_settings_trigger();
  CREATE FUNCTION leak_session_objects() RETURNS void LANGUAGE plpgsql AS $$
  BEGIN
    EXECUTE 'CREATE TEMP TABLE leaked_rows AS SELECT 1 AS secret';
    EXECUTE 'LISTEN leaked_channel';
    PERFORM pg_advisory_lock(4242);
    EXECUTE 'PREPARE leaked_statement AS SELECT 1';
    EXECUTE 'DECLARE leaked_cursor CURSOR WITH HOLD FOR SELECT 1';
    PERFORM nextval('leak_seq');
  END $$;
  CREATE FUNCTION become_alice() RETURNS void LANGUAGE plpgsql AS $$ BEGIN PERFORM set_config('role', 'alice', false); END $$;
  CREATE FUNCTION become_alice_for_the_session() RETURNS void LANGUAGE plpgsql AS $$ BEGIN PERFORM set_config('session_authorization', 'alice', false); END $$;
`;

interface Case {
  readonly name: string;
  readonly user: 'alice' | typeof SUPERUSER;
  readonly sql: string;
}

const CASES: Case[] = [
  { name: 'settings changed inside a function', user: 'alice', sql: 'SELECT leak_settings()' },
  { name: 'settings changed inside a DO block', user: 'alice', sql: "DO $$ BEGIN PERFORM set_config('search_path', 'evil, public', false); PERFORM set_config('work_mem', '77MB', false); END $$" },
  { name: 'settings changed inside a procedure', user: 'alice', sql: 'CALL leak_settings_proc()' },
  { name: 'settings changed inside a trigger', user: 'alice', sql: 'INSERT INTO leak_trigger_target VALUES (1)' },
  { name: 'temp table, LISTEN, advisory lock, SQL PREPARE, hold cursor and sequence made inside a function', user: 'alice', sql: 'SELECT leak_session_objects()' },
  { name: 'settings changed inside a function, by a superuser', user: SUPERUSER, sql: 'SELECT leak_settings()' },
  { name: 'the role changed inside a function, by a superuser', user: SUPERUSER, sql: 'SELECT become_alice()' },
  { name: 'the session authorization changed inside a function, by a superuser', user: SUPERUSER, sql: 'SELECT become_alice_for_the_session()' },
  { name: 'objects made inside a function, by a superuser', user: SUPERUSER, sql: 'SELECT leak_session_objects()' },
];

describe('exact session isolation: nothing a session does reaches a later one', () => {
  let cluster: LocalCluster;
  /** Later sessions that stay connected until their case ends. */
  const after: Client[] = [];

  beforeAll(async () => {
    const spec: ClusterSpecInput = { ...JSON.parse(JSON.stringify(defaultSpec())), pooler: { poolSize: 1 } };
    cluster = await startLocalCluster(inject('testRoot'), spec);
    await cluster.query(SETUP);
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  /** Each session names itself at startup: its own setting must hold after the reset, on every connection. */
  const connect = async (port: number, user: Case['user'], application_name = 'isolation-later') => {
    const password = user === 'alice' ? ALICE_PASSWORD : cluster.secrets.superuserPassword;
    const client = new Client({ host: '127.0.0.1', port, user, password, database: 'postgres', application_name });
    await client.connect();
    return client;
  };

  const hops = [
    { hops: 'one hop (the primary zone’s gateway)', port: () => cluster.layout.gateways[0]!.port },
    { hops: 'two hops (another zone’s gateway, over the link)', port: () => cluster.layout.gateways[1]!.port },
  ];

  const kinds = [
    { statements: 'no prepared statement on the connection', prepared: false },
    { statements: 'prepared statements on the connection', prepared: true },
  ];

  for (const { hops: path, port } of hops) {
    describe.each(kinds)(`${path}, $statements`, ({ prepared }) => {
      /** The probe, as a simple query or as a statement the pooler prepares on the connection. */
      const probe = (session: Client) => (prepared ? session.query({ name: 'isolation-probe', text: PROBE }) : session.query(PROBE));
      for (const { name, user, sql } of CASES) {
        it(`${name}: invisible to ${LATER_SESSIONS} later sessions on the same backend`, async () => {
          const first = await connect(port(), user, 'isolation-first');
          const { pid } = (await probe(first)).rows[0] as { pid: number };
          await first.query(sql);
          // Seen by the session itself, in the same transaction as the change: the case did something.
          if (name.startsWith('settings')) expect((await first.query("SELECT leak_settings(), current_setting('work_mem') AS w")).rows[0].w).toBe('77MB');
          const later: Record<string, unknown>[] = [];
          for (let i = 0; i < LATER_SESSIONS; i++) {
            const session = await connect(port(), user);
            later.push((await probe(session)).rows[0] as Record<string, unknown>);
            // Half of them stay connected while the next ones come, half leave at once.
            if (i % 2 === 0) await session.end();
            else after.push(session);
          }
          // The one thing a connection that keeps the pooler's statements also keeps: a statement
          // a function prepared with dynamic SQL (handoff-reset.ts).
          const expected = { ...CLEAN, application_name: 'isolation-later', current_user: user, session_user: user, ...(prepared ? { sql_prepared: expect.any(Number) } : {}) };
          for (const row of later) expect(row).toMatchObject({ ...expected, pid });
          // The first session goes on too, on a connection others used in between, with its own name.
          expect((await first.query("SELECT current_setting('application_name') AS name")).rows[0].name).toBe('isolation-first');
          await first.end();
          await Promise.all(after.splice(0).map((session) => session.end()));
        });
      }
    });
  }

  /**
   * The reset goes out in the write that carries the later session's first statement
   * (handoff-reset.ts). It must hold whatever that statement does: fail, open a transaction
   * and roll it back, or look at the session's state from the same write. A reset that shared
   * the statement's transaction would fail all three — a failure or a ROLLBACK would undo it,
   * and UNLISTEN or a dropped temp table take effect only at a commit — so it must be
   * committed before the statement starts.
   */
  hops.forEach(({ hops: path, port }, hop) => {
    describe.each(kinds)(`${path}, $statements: a reset that the next statement cannot undo`, ({ prepared }) => {
      /** A role of its own: its pool (one connection) starts empty, so "no prepared statement" holds. */
      const role = `undo_${hop}_${prepared ? 'prepared' : 'simple'}`;
      const lockKey = 5000 + hop * 10 + (prepared ? 1 : 0);
      const session = async (application_name: string) => {
        const client = new Client({ host: '127.0.0.1', port: port(), user: role, password: ALICE_PASSWORD, database: 'postgres', application_name });
        client.on('error', () => undefined);
        await client.connect();
        return client;
      };
      beforeAll(async () => {
        await cluster.query(`CREATE ROLE ${role} LOGIN PASSWORD '${ALICE_PASSWORD}'; GRANT USAGE, CREATE ON SCHEMA evil TO ${role}; GRANT USAGE ON SEQUENCE leak_seq TO ${role}`);
      });
      /**
       * A first session leaves settings, a temp table, a LISTEN, an advisory lock, a hold
       * cursor and a sequence value behind, all from inside a function (no SQL PREPARE: a
       * connection that keeps the pooler's statements keeps that one, and each case does this
       * again). Returns its backend's pid.
       */
      const leave = async () => {
        const first = await session('isolation-first');
        try {
          if (prepared) await first.query({ name: 'isolation-probe', text: PROBE });
          await first.query(`DO $$ BEGIN
            PERFORM leak_settings();
            EXECUTE 'CREATE TEMP TABLE leaked_rows AS SELECT 1 AS secret';
            EXECUTE 'LISTEN leaked_channel';
            PERFORM pg_advisory_lock(${lockKey});
            EXECUTE 'DECLARE leaked_cursor CURSOR WITH HOLD FOR SELECT 1';
            PERFORM nextval('leak_seq');
          END $$`);
          return ((await first.query('SELECT pg_backend_pid() AS pid')).rows[0] as { pid: number }).pid;
        } finally {
          await first.end();
        }
      };
      const expected = (pid: number) => ({ ...CLEAN, pid, application_name: 'isolation-later', current_user: role, session_user: role, ...(prepared ? { sql_prepared: expect.any(Number) } : {}) });
      const later = async (steps: (client: Client) => Promise<void>) => {
        const client = await session('isolation-later');
        try {
          await steps(client);
        } finally {
          await client.end();
        }
      };

      it('a first statement that fails', async () => {
        const pid = await leave();
        await later(async (client) => {
          await expect(client.query('SELECT 1/0')).rejects.toThrow(/division by zero/);
          expect((await client.query(PROBE)).rows[0]).toMatchObject(expected(pid));
        });
      });

      it('a first statement that opens a transaction rolled back after', async () => {
        const pid = await leave();
        await later(async (client) => {
          await client.query('BEGIN');
          expect((await client.query(PROBE)).rows[0]).toMatchObject(expected(pid));
          await client.query('ROLLBACK');
          expect((await client.query(PROBE)).rows[0]).toMatchObject(expected(pid));
        });
      });

      it('a first statement that looks at the state itself', async () => {
        const pid = await leave();
        await later(async (client) => {
          expect((await client.query(PROBE)).rows[0]).toMatchObject(expected(pid));
        });
      });
    });
  });

  /**
   * On a backend of its own, what a session left there inside functions ends with the session.
   * In a pool, the connection it used last is reset as soon as it ends, not when another
   * session happens to take it (ended-session-reset.ts): its advisory lock does not block
   * anyone, its temp table is gone, while the connection stays open in the pool — and the
   * next session on it needs no reset of its own, and finds nothing.
   */
  hops.forEach(({ hops: path, port }, hop) => {
    it(`${path}: a session's leftovers end when it does, on a connection that stays open`, async () => {
      const role = `ended_${hop}`;
      const lockKey = 6000 + hop;
      await cluster.query(`CREATE ROLE ${role} LOGIN PASSWORD '${ALICE_PASSWORD}'`);
      const session = async (application_name: string) => {
        const client = new Client({ host: '127.0.0.1', port: port(), user: role, password: ALICE_PASSWORD, database: 'postgres', application_name });
        client.on('error', () => undefined);
        await client.connect();
        return client;
      };
      const first = await session('isolation-first');
      await first.query(`DO $$ BEGIN
        PERFORM pg_advisory_lock(${lockKey});
        EXECUTE 'LISTEN ended_channel';
        EXECUTE 'CREATE TEMP TABLE ended_rows_${hop} AS SELECT 1 AS secret';
        PERFORM set_config('work_mem', '77MB', false);
      END $$`);
      const { pid } = (await first.query('SELECT pg_backend_pid() AS pid')).rows[0] as { pid: number };
      const left = async () =>
        (await cluster.query<{ locks: number; temp: number; open: number }>(
          `SELECT (SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = ${lockKey})::int AS locks,
                  (SELECT count(*) FROM pg_class WHERE relname = 'ended_rows_${hop}' AND relpersistence = 't')::int AS temp,
                  (SELECT count(*) FROM pg_stat_activity WHERE pid = ${pid})::int AS open`,
        ))[0]!;
      expect(await left()).toEqual({ locks: 1, temp: 1, open: 1 });
      await first.end();
      // No other session of the role comes: only the end of the first one can release these.
      const deadline = Date.now() + 10_000;
      let now = await left();
      while ((now.locks > 0 || now.temp > 0) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        now = await left();
      }
      expect(now).toEqual({ locks: 0, temp: 0, open: 1 });
      const later = await session('isolation-later');
      try {
        expect((await later.query(PROBE)).rows[0]).toMatchObject({ ...CLEAN, pid, application_name: 'isolation-later', current_user: role, session_user: role });
      } finally {
        await later.end();
      }
    });
  });

  /**
   * A pool connection logs in with the application_name of the session it is opened for
   * (carried-startup.ts), so that sessions with the same startup need no replay after the
   * reset. RESET then gives that session's name, so such a connection must never serve a session
   * without an application_name of its own — not after a hand-off, not after its own RESET, not
   * in the login parameters it is told — and such a session must not wait for it either.
   */
  describe.each([
    { path: 'one hop', gateway: 0, role: 'one_hop' },
    { path: 'two hops', gateway: 1, role: 'two_hops' },
  ])('a connection opened with a session\'s application_name ($path)', ({ gateway, role }) => {
    const port = () => cluster.layout.gateways[gateway]!.port;
    /** A role of its own per case: its pool (one connection) starts empty. */
    const session = async (user: string, application_name?: string) => {
      const client = new Client({ host: '127.0.0.1', port: port(), user, password: ALICE_PASSWORD, database: 'postgres', ...(application_name ? { application_name } : {}) });
      const reported: Record<string, string> = {};
      (client as unknown as { connection: { on(event: string, listener: (message: { parameterName: string; parameterValue: string }) => void): void } }).connection.on('parameterStatus', (message) => {
        reported[message.parameterName] = message.parameterValue;
      });
      await client.connect();
      return { client, reported };
    };
    const state = async (client: Client) =>
      (await client.query("SELECT pg_backend_pid() AS pid, current_setting('application_name') AS name, (SELECT reset_val FROM pg_settings WHERE name = 'application_name') AS reset_to")).rows[0] as { pid: number; name: string; reset_to: string };

    it('serves a session with another name, whose RESET and DISCARD ALL give its own', async () => {
      const carol = `carol_${role}`;
      await cluster.query(`CREATE ROLE ${carol} LOGIN PASSWORD '${ALICE_PASSWORD}'`);
      const carrier = await session(carol, 'carrier');
      const opened = await state(carrier.client);
      // The one connection logged in with the carrier's name: RESET would give it.
      expect(opened).toMatchObject({ name: 'carrier', reset_to: 'carrier' });
      await carrier.client.end();
      const other = await session(carol, 'other');
      expect(other.reported.application_name).toBe('other');
      expect(await state(other.client)).toMatchObject({ pid: opened.pid, name: 'other' });
      await other.client.query('RESET application_name');
      expect((await state(other.client)).name).toBe('other');
      await other.client.query("SET application_name = 'renamed'");
      await other.client.query('DISCARD ALL');
      expect((await state(other.client)).name).toBe('other');
      await other.client.end();
    });

    it('is replaced, not lent, when a session without a name needs the full pool — even one waiting for it', async () => {
      const dave = `dave_${role}`;
      await cluster.query(`CREATE ROLE ${dave} LOGIN PASSWORD '${ALICE_PASSWORD}'`);
      const carrier = await session(dave, 'carrier');
      const carried = await state(carrier.client);
      expect(carried.reset_to).toBe('carrier');
      await carrier.client.query('BEGIN');
      await carrier.client.query('SELECT 1'); // a lone BEGIN holds no connection yet
      // The pool's one connection is in the carrier's transaction: the nameless session waits.
      const nameless = session(dave);
      const waited = nameless.then(async ({ client }) => state(client));
      await new Promise((resolve) => setTimeout(resolve, 300));
      await carrier.client.query('COMMIT');
      const served = await waited;
      const { client, reported } = await nameless;
      expect(served.pid).not.toBe(carried.pid);
      expect(served).toMatchObject({ name: '', reset_to: '' });
      expect(reported.application_name).toBe('');
      await client.query("SET application_name = 'for-a-while'");
      await client.query('RESET application_name');
      expect((await state(client)).name).toBe('');
      // The carrier goes on, on the plain connection the nameless session left, with its own name.
      await client.end();
      expect(await state(carrier.client)).toMatchObject({ pid: served.pid, name: 'carrier' });
      await carrier.client.end();
    });
  });
});

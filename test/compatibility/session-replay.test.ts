/**
 * What a pooled session must replay exactly, as PostgreSQL's own regression suite exercises it.
 *
 * Settings and identity that only replay in the right order: PostgreSQL's regression suite
 * (`privileges`) sets a superuser-only setting, then switches the session authorization to an
 * unprivileged role, and expects both to hold for the rest of the session. Through a gateway
 * every transaction may run on another server connection, where the pooler replays the
 * session's settings — it must do so as the login user, with the identity put back last, or
 * the session dies. Run by psql (as pg_regress does) directly against Postgres and through both
 * gateways, while other sessions share the one server connection of the pool, so that every
 * transaction is a hand-off; the answers must be Postgres' own, byte for byte. A session
 * authorization also undoes SET ROLE: a replayed role the new identity may not take would kill
 * the session too.
 *
 * The startup packet's settings are the session's defaults: pg_regress runs psql with PGTZ and
 * PGDATESTYLE, which libpq sends at startup, and the date and time tests RESET DateStyle and
 * TimeZone back to them — not to the server's defaults; a pinned session too (guc.sql).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { defaultSpec } from '../../runtime/src/spec/defaults';
import type { ClusterSpecInput } from '../../runtime/src/spec/schema';
import { type LocalCluster, startLocalCluster } from '../support/local-cluster';
import { busySessions, psqlScript, throughBusyGateways } from '../support/pooled-sessions';

/** The lo_compat_privileges part of privileges.sql (PostgreSQL 15), and a role that is set then undone by a new authorization. */
const SCRIPT = `
CREATE ROLE regress_identity_user1 LOGIN;
CREATE ROLE regress_identity_user4 LOGIN;
CREATE ROLE regress_identity_group;
GRANT regress_identity_group TO regress_identity_user1;
SELECT lo_create(91001) > 0 AS created;
SELECT lo_create(91002) > 0 AS created;
\\c -
SET lo_compat_privileges = false;	-- default setting
SET SESSION AUTHORIZATION regress_identity_user4;
SELECT loread(lo_open(91002, x'40000'::int), 32);	-- to be denied
SELECT lo_unlink(91002);				-- to be denied
\\c -
SET lo_compat_privileges = true;	-- compatibility mode
SET SESSION AUTHORIZATION regress_identity_user4;
SELECT loread(lo_open(91002, x'40000'::int), 32);
SELECT lowrite(lo_open(91002, x'20000'::int), 'abcd');
SELECT lo_truncate(lo_open(91002, x'20000'::int), 10);
SELECT current_setting('lo_compat_privileges'), current_user, session_user;
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION regress_identity_user4;
SELECT current_setting('lo_compat_privileges'), current_user, session_user;
SELECT lo_unlink(91002);
SELECT lo_export(91001, '/dev/null');			-- to be denied
\\c -
SET SESSION AUTHORIZATION regress_identity_user1;
SET ROLE regress_identity_group;
SELECT current_user, session_user;
SET SESSION AUTHORIZATION regress_identity_user4;
SELECT current_user, session_user;
SELECT * FROM pg_largeobject LIMIT 0;			-- to be denied
RESET SESSION AUTHORIZATION;
SELECT current_user, session_user;
\\c -
SELECT lo_unlink(91001);
DROP ROLE regress_identity_user1;
DROP ROLE regress_identity_user4;
DROP ROLE regress_identity_group;
`;

/**
 * RESET and RESET ALL go back to the startup packet's settings (PGDATESTYLE, PGTZ), as in
 * date.sql and horology.sql; a DateStyle that names one half keeps the session's other half,
 * not the server connection's (horology.sql's `set datestyle to dmy`).
 */
const STARTUP_DEFAULTS = `
SELECT current_setting('DateStyle') AS datestyle, current_setting('TimeZone') AS timezone;
SET DateStyle TO 'ISO';
SET TimeZone TO 'UTC';
SELECT date '1957-04-09', timestamptz '2000-01-01 12:00+00';
RESET DateStyle;
SELECT date '1957-04-09', current_setting('DateStyle');
RESET ALL;
SELECT timestamptz '2000-01-01 12:00+00', current_setting('TimeZone');
SET DateStyle TO 'ISO';
DISCARD ALL;
SELECT date '1957-04-09';
BEGIN;
SET DateStyle TO 'ISO';
SAVEPOINT a;
SET DateStyle TO 'German';
ROLLBACK TO SAVEPOINT a;
COMMIT;
SELECT date '1957-04-09', current_setting('DateStyle');
SELECT date '1957-04-09', current_setting('DateStyle');
set datestyle to dmy;
SELECT timestamp with time zone '27/12/2001 04:05:06.789-08';
SET DateStyle TO 'German';
SET DateStyle TO 'MDY';
SELECT date '1957-04-09', current_setting('DateStyle');
SET DateStyle TO 'SQL';
SELECT date '1957-04-09', current_setting('DateStyle');
RESET DateStyle;
CREATE TEMP TABLE keeps_its_connection (a int);
SET DateStyle TO 'ISO';
RESET DateStyle;
SELECT date '1957-04-09', current_setting('DateStyle');
`;

describe('a session’s settings and identity, replayed on other server connections', () => {
  let cluster: LocalCluster;
  let scriptFile: string;
  let startupFile: string;

  beforeAll(async () => {
    // One server connection per user and database: with the noise below, every transaction of
    // the session under test is a hand-off, its settings replayed after a reset.
    const spec: ClusterSpecInput = { ...JSON.parse(JSON.stringify(defaultSpec())), pooler: { poolSize: 1 } };
    cluster = await startLocalCluster(inject('testRoot'), spec);
    scriptFile = join(cluster.stateDir, '..', `${cluster.stateDir.split('/').pop()}-identity.sql`);
    writeFileSync(scriptFile, SCRIPT);
    startupFile = scriptFile.replace(/identity\.sql$/, 'startup.sql');
    writeFileSync(startupFile, STARTUP_DEFAULTS);
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  const psql = (port: number, file = scriptFile, env: Record<string, string> = {}) => psqlScript(cluster, port, file, env);
  /** Other sessions that keep taking and returning the gateway's server connections. */
  const noise = (port: number) => busySessions(cluster, port, "SET application_name = 'noise'; SELECT pg_sleep(0.002)", 4);

  it('answers as Postgres does, through one hop and two hops', async () => {
    const primary = cluster.layout.instances.find((instance) => instance.zone === cluster.layout.gateways[0]!.zone)!;
    const direct = await psql(primary.port);
    expect(direct).toContain('ERROR:  permission denied for large object 91002');
    expect(direct).not.toContain('FATAL');
    await throughBusyGateways(cluster, noise, async (port) => expect(await psql(port)).toBe(direct));
  });

  it('returns to the startup packet’s settings on RESET, RESET ALL and DISCARD ALL, as Postgres does', async () => {
    const env = { PGDATESTYLE: 'Postgres, MDY', PGTZ: 'PST8PDT' };
    const primary = cluster.layout.instances.find((instance) => instance.zone === cluster.layout.gateways[0]!.zone)!;
    const direct = await psql(primary.port, startupFile, env);
    expect(direct).toContain('04-09-1957');
    await throughBusyGateways(cluster, noise, async (port) => expect(await psql(port, startupFile, env)).toBe(direct));
  });
});

/**
 * What a Postgres backend keeps for its session beyond settings, as PostgreSQL's regression
 * suite exercises it, through gateways whose pool has one server connection shared with other
 * sessions (so every transaction may be a hand-off):
 *
 * - Libraries a backend loaded (guc.sql): `SET plpgsql.anything` is accepted as a placeholder
 *   in a session that has not loaded plpgsql, and refused once plpgsql has reserved its
 *   prefix. A pooled backend has loaded whatever its earlier sessions used: the other sessions
 *   here run DO blocks, which load plpgsql on the shared connection.
 * - The temporary schema (temp.sql): a new session has none until it creates a temporary
 *   object; PREPARE TRANSACTION, pg_my_temp_schema() and current_schema() tell the difference.
 *   A backend that had one is not handed to another session (DISCARD TEMP empties the schema
 *   but keeps it). Objects created in pg_temp by name (`CREATE FUNCTION pg_temp.f()`) live
 *   there too, and pin the session like a temporary table.
 * - The unnamed prepared statement (psql's \gdesc: PQprepare, then PQdescribePrepared, in two
 *   cycles): it lives until a simple Query or another Parse replaces it.
 *
 * Each answer must be Postgres' own (psql run as pg_regress runs it, directly and through both
 * gateways, compared byte for byte), or, for the unnamed statement, Postgres' own messages.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { encodeFrontend } from '../../runtime/src/protocol/encode-frontend';
import type { BackendMessage } from '../../runtime/src/protocol/messages';
import { SUPERUSER } from '../../runtime/src/deployment/secrets';
import { defaultSpec } from '../../runtime/src/spec/defaults';
import type { ClusterSpecInput } from '../../runtime/src/spec/schema';
import { type LocalCluster, startLocalCluster } from '../support/local-cluster';
import { busySessions, psqlScript, throughBusyGateways } from '../support/pooled-sessions';
import { WireClient } from '../support/wire-client';

const SCRIPT = `
SET plpgsql.extra_foo_warnings = true;
SHOW plpgsql.extra_foo_warnings;
LOAD 'plpgsql';
SET plpgsql.extra_foo_warnings = true;
SHOW plpgsql.extra_foo_warnings;
\\c -
SELECT pg_my_temp_schema() = 0 AS no_temporary_schema;
SET search_path TO 'pg_temp';
BEGIN;
SELECT current_schema() ~ 'pg_temp' AS is_temp_schema;
PREPARE TRANSACTION 'twophase_search';
\\c -
CREATE TEMP TABLE scratch (a int);
DISCARD TEMP;
\\c -
SELECT pg_my_temp_schema() = 0 AS no_temporary_schema;
CREATE FUNCTION pg_temp.twice(int) RETURNS int AS 'SELECT $1 * 2' LANGUAGE sql;
SELECT pg_temp.twice(21);
SELECT pg_temp.twice(4);
SET custom."bad-guc" = 42;
SELECT 1 AS still_answering;
`;

describe('backend-local state of a session, through pooled gateways', () => {
  let cluster: LocalCluster;
  let scriptFile: string;

  beforeAll(async () => {
    const spec: ClusterSpecInput = { ...JSON.parse(JSON.stringify(defaultSpec())), pooler: { poolSize: 1 } };
    cluster = await startLocalCluster(inject('testRoot'), spec);
    scriptFile = join(cluster.stateDir, '..', `${cluster.stateDir.split('/').pop()}-backend-local.sql`);
    writeFileSync(scriptFile, SCRIPT);
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  const psql = (port: number) => psqlScript(cluster, port, scriptFile);
  /** Sessions that keep using the pool's one server connection, loading plpgsql there. */
  const noise = (port: number) => busySessions(cluster, port, 'DO $$ BEGIN PERFORM pg_sleep(0.002); END $$', 3);

  const primaryOf = () => cluster.layout.instances.find((instance) => instance.zone === cluster.layout.gateways[0]!.zone)!;

  it('answers as a backend of the session’s own would, through one hop and two hops', async () => {
    const direct = await psql(primaryOf().port);
    // What Postgres itself says: a placeholder accepted, then refused once plpgsql is loaded;
    // no temporary schema in a new session; the pg_temp function found in later statements.
    expect(direct).toContain('WARNING:  invalid configuration parameter name "plpgsql.extra_foo_warnings", removing it');
    expect(direct).toContain('ERROR:  cannot PREPARE a transaction that has operated on temporary objects');
    expect(direct).toMatch(/twice \n-------\n {4}42\n/);
    // A new session has no temporary schema, even after another emptied its own with DISCARD TEMP.
    expect(direct.match(/no_temporary_schema \n-+\n [tf]/g)?.map((answer) => answer.at(-1))).toEqual(['t', 't']);
    await throughBusyGateways(cluster, noise, async (port) => expect(await psql(port)).toBe(direct));
  });

  it('keeps the unnamed statement prepared in one cycle for the next, after another session used the connection', async () => {
    for (const gateway of cluster.layout.gateways.slice(0, 2)) {
      const client = await WireClient.connect({ port: gateway.port });
      const other = await cluster.connect(gateway.port);
      try {
        await client.login(SUPERUSER, cluster.secrets.superuserPassword);
        client.write(Buffer.concat([encodeFrontend({ type: 'parse', name: '', sql: 'SELECT 1 AS one, $1::text AS two', parameterTypes: [] }), encodeFrontend({ type: 'sync' })]));
        expect((await client.readyForQuery()).map((message) => message.type)).toEqual(['parseComplete', 'readyForQuery']);
        // The pool's one connection now serves another session (and is reset for it).
        await other.query('SELECT 1');
        client.write(Buffer.concat([encodeFrontend({ type: 'describe', target: 'S', name: '' }), encodeFrontend({ type: 'sync' })]));
        const described = await client.readyForQuery();
        expect(described.map((message) => message.type)).toEqual(['parameterDescription', 'rowDescription', 'readyForQuery']);
        const columns = (described[1] as Extract<BackendMessage, { type: 'rowDescription' }>).fields.map((field) => field.name);
        expect(columns).toEqual(['one', 'two']);
        // A simple Query drops it, as in Postgres.
        await client.query('SELECT 2');
        client.write(Buffer.concat([encodeFrontend({ type: 'describe', target: 'S', name: '' }), encodeFrontend({ type: 'sync' })]));
        const dropped = await client.readyForQuery();
        expect(dropped[0]).toMatchObject({ type: 'errorResponse', fields: { C: '26000' } });
      } finally {
        client.close();
        await other.end();
      }
    }
  });
});

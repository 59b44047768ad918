/**
 * `polygres pause` / `resume`, PgBouncer's PAUSE semantics through every path: a transaction
 * already running finishes; statements that arrive while paused wait — longer than the
 * pooler's queue timeout — and run after resume without an error, through the primary zone's
 * gateway (its own pool) and another zone's (the link, the pooler's pool).
 */
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { defaultSpec } from '../../runtime/src/spec/defaults';
import type { ClusterSpecInput } from '../../runtime/src/spec/schema';
import { sleep } from '../../runtime/src/util/net';
import { type LocalCluster, startLocalCluster } from '../support/local-cluster';
import { polygres } from '../support/polygres-cli';

/** Short, so that waiting through a pause outlasts it. */
const QUEUE_TIMEOUT_MS = 1_500;

describe('pause and resume', () => {
  let cluster: LocalCluster;
  const clients: Client[] = [];
  const connect = async (zoneIndex: number): Promise<Client> => {
    const gateway = cluster.layout.gateways[zoneIndex]!;
    const client = new Client({ host: gateway.host, port: gateway.port, user: 'postgres', password: cluster.secrets.superuserPassword, database: 'postgres', ssl: false });
    client.on('error', () => undefined);
    await client.connect();
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    const spec: ClusterSpecInput = { ...JSON.parse(JSON.stringify(defaultSpec())), pooler: { queueTimeoutMs: QUEUE_TIMEOUT_MS } };
    cluster = await startLocalCluster(inject('testRoot'), spec);
    await cluster.query('CREATE TABLE paused_writes (id int PRIMARY KEY, at text)');
  });
  afterAll(async () => {
    for (const client of clients) await client.end().catch(() => undefined);
    await cluster?.stop();
  });

  it('lets a running transaction finish, holds new statements past the queue timeout, and runs them on resume', async () => {
    const running = await connect(0);
    await running.query('BEGIN');
    await running.query("INSERT INTO paused_writes VALUES (1, 'in the running transaction')");
    const local = await connect(0);
    const remote = await connect(1);

    const paused = await polygres(['pause', '--wait', '1', '--state-dir', cluster.stateDir]);
    expect(paused.stderr).toBe('');
    expect(paused.stdout).toMatch(/Paused every database, but [1-9]\d* server connection\(s\) are still in use \(gateway-zone-a\)/);

    let localDone = false;
    let remoteDone = false;
    const localWrite = local.query("INSERT INTO paused_writes VALUES (2, 'through the primary zone') RETURNING id").then((result) => ((localDone = true), result));
    const remoteWrite = remote.query("INSERT INTO paused_writes VALUES (3, 'through another zone') RETURNING id").then((result) => ((remoteDone = true), result));
    // The running transaction is not held: it commits while paused.
    await running.query('COMMIT');
    await sleep(QUEUE_TIMEOUT_MS * 2);
    expect([localDone, remoteDone]).toEqual([false, false]);

    const resumed = await polygres(['resume', '--state-dir', cluster.stateDir]);
    expect(resumed).toMatchObject({ code: 0, stdout: 'Resumed.\n' });
    expect((await localWrite).rows).toEqual([{ id: 2 }]);
    expect((await remoteWrite).rows).toEqual([{ id: 3 }]);
    const rows = await cluster.query<{ id: number }>('SELECT id FROM paused_writes ORDER BY id');
    expect(rows.map((row) => row.id)).toEqual([1, 2, 3]);
  });

  it('pauses one database only: the others go on', async () => {
    await cluster.query('CREATE DATABASE other_app');
    const paused = await polygres(['pause', '--database', 'other_app', '--state-dir', cluster.stateDir]);
    expect(paused.stdout).toContain('Paused database other_app: no server connection in use');
    const gateway = cluster.layout.gateways[0]!;
    const other = new Client({ host: gateway.host, port: gateway.port, user: 'postgres', password: cluster.secrets.superuserPassword, database: 'other_app', ssl: false });
    clients.push(other);
    let otherDone = false;
    // Logging in may need a server connection of that database too: it waits like the statement.
    const otherQuery = other
      .connect()
      .then(() => other.query('SELECT 2 AS ok'))
      .then((result) => ((otherDone = true), result));
    const client = await connect(0);
    expect((await client.query('SELECT 1 AS ok')).rows).toEqual([{ ok: 1 }]);
    await sleep(QUEUE_TIMEOUT_MS * 2);
    expect(otherDone).toBe(false);
    const resumed = await polygres(['resume', '--database', 'other_app', '--state-dir', cluster.stateDir]);
    expect(resumed.stdout).toBe('Resumed.\n');
    expect((await otherQuery).rows).toEqual([{ ok: 2 }]);
  });
});

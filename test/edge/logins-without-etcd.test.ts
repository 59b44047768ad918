/**
 * Logins do not depend on the topology store: with etcd frozen (SIGSTOP) for 20 seconds, new
 * clients keep logging in and writing through every gateway; and when a password truly cannot
 * be checked (no pooler answers, nor the Postgres on the gateway's own host, which a local
 * cluster's gateway reads first), the client is told that — 08006 with the reason — never
 * that its password is wrong.
 */
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { colocatedInstances } from '../../runtime/src/deployment/layout';
import { sleep } from '../../runtime/src/util/net';
import { type LocalCluster, startLocalCluster } from '../support/local-cluster';
import { freezePostgres, freezeProcess, supervisedPid } from '../support/faults';

describe('logins while the topology store is out', () => {
  let cluster: LocalCluster;

  beforeAll(async () => {
    cluster = await startLocalCluster(inject('testRoot'));
    await cluster.query('CREATE TABLE logins_during_outage (gateway int, at timestamptz DEFAULT now())');
    // Every gateway has logged a client in once: each has read where the poolers are.
    for (const gateway of cluster.layout.gateways) await cluster.query('SELECT 1', gateway.port);
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  const loginAndWrite = async (port: number, index: number) => {
    const client = new Client({ host: '127.0.0.1', port, user: 'postgres', password: cluster.secrets.superuserPassword, database: 'postgres', connectionTimeoutMillis: 5_000 });
    await client.connect();
    try {
      await client.query('INSERT INTO logins_during_outage (gateway) VALUES ($1)', [index]);
    } finally {
      await client.end();
    }
  };

  it('keeps logging clients in on every gateway with etcd frozen for 20 s', async () => {
    const thaw = freezeProcess(supervisedPid(cluster, 'etcd'));
    let rounds = 0;
    try {
      const started = Date.now();
      while (Date.now() - started < 20_000) {
        await Promise.all(cluster.layout.gateways.map((gateway, index) => loginAndWrite(gateway.port, index)));
        rounds += 1;
        await sleep(500);
      }
    } finally {
      thaw();
    }
    expect(rounds).toBeGreaterThanOrEqual(20);
    const rows = await cluster.query<{ gateway: number; n: number }>('SELECT gateway, count(*)::int AS n FROM logins_during_outage GROUP BY gateway ORDER BY gateway');
    expect(rows).toEqual(cluster.layout.gateways.map((_, index) => ({ gateway: index, n: rounds })));
  }, 60_000);

  it('says the password cannot be checked (08006), not that it is wrong, when nothing holding the verifiers answers', async () => {
    const gateway = cluster.layout.gateways[1]!;
    const thaws = cluster.layout.instances.map((instance) => freezeProcess(supervisedPid(cluster, `pooler-${instance.name}`)));
    // The gateway reads its own host's Postgres first (a local cluster): that one is frozen too.
    thaws.push(freezePostgres(cluster, colocatedInstances(cluster.layout, gateway)[0]!.name));
    try {
      // A user no login has read yet: nothing to fall back on.
      const client = new Client({ host: '127.0.0.1', port: gateway.port, user: 'nobody_known_yet', password: 'x', database: 'postgres', connectionTimeoutMillis: 20_000 });
      const error = (await client.connect().then(() => undefined, (e: unknown) => e)) as { code?: string; message: string };
      expect(error).toMatchObject({ code: '08006', message: expect.stringContaining('cannot check the password now') });
    } finally {
      for (const thaw of thaws) thaw();
    }
  }, 60_000);
});

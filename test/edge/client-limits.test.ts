/**
 * The edge's limits against a live gateway of a real cluster, each as a hostile or careless
 * client meets it: a flood of silent sockets, too many sessions in all and for one user,
 * clients trickling huge messages, a client that stops mid-message, a client that never reads
 * its results, a session left idle in a transaction. Each limit ends only the connections at
 * fault, is counted in the metrics, and never costs another client its session.
 */
import { connect, type Socket } from 'node:net';
import { readdirSync, readFileSync } from 'node:fs';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { encodeFrontend } from '../../runtime/src/protocol/encode-frontend';
import { SUPERUSER } from '../../runtime/src/deployment/secrets';
import { defaultSpec } from '../../runtime/src/spec/defaults';
import type { ClusterSpecInput } from '../../runtime/src/spec/schema';
import { sleep, waitFor } from '../../runtime/src/util/net';
import { dataPathRuntime } from '../../runtime/src/local/service-runtime';
import { type LocalCluster, startLocalCluster } from '../support/local-cluster';
import { supervisedPid } from '../support/faults';
import { WireClient } from '../support/wire-client';
import { sampleValue, scrape } from '../support/prometheus-text';

const MIB = 1024 * 1024;
const LIMITS = {
  loginTimeoutMs: 3_000,
  maxClientConnections: 40,
  maxConnectionsPerUser: 30,
  maxPendingLogins: 1_000,
  clientBufferBytes: 128 * MIB,
  idleInTransactionTimeoutMs: 2_000,
  slowClientTimeoutMs: 5_000,
};
const ALICE_PASSWORD = 'alice-limits-secret';

function rssBytes(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
  return Number(line?.split(/\s+/)[1] ?? 0) * 1024;
}

function openFiles(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

/** A Query message whose header announces `length` bytes of SQL, and its first `sent` bytes. */
function queryHeader(length: number): Buffer {
  const header = Buffer.alloc(5);
  header[0] = 0x51;
  header.writeInt32BE(4 + length, 1);
  return header;
}

describe('the edge holds: limits on what a client may cost a gateway', () => {
  let cluster: LocalCluster;
  let port: number;
  let pid: number;

  beforeAll(async () => {
    const spec: ClusterSpecInput = { ...JSON.parse(JSON.stringify(defaultSpec())), gateway: { limits: LIMITS } };
    cluster = await startLocalCluster(inject('testRoot'), spec);
    port = cluster.layout.gateways[0]!.port;
    pid = supervisedPid(cluster, 'gateway-zone-a');
    await cluster.query(`CREATE ROLE alice LOGIN PASSWORD '${ALICE_PASSWORD}'; CREATE TABLE idle_writes (x int); GRANT ALL ON idle_writes TO alice`);
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  const login = async (user = SUPERUSER) => {
    const client = new Client({ host: '127.0.0.1', port, user, password: user === 'alice' ? ALICE_PASSWORD : cluster.secrets.superuserPassword, database: 'postgres' });
    client.on('error', () => undefined);
    await client.connect();
    return client;
  };
  const metric = async (name: string, labels: Record<string, string> = {}): Promise<number> => {
    const gateway = cluster.layout.gateways[0]!;
    return sampleValue(await scrape(`http://${gateway.host}:${gateway.metricsPort}`), name, labels) ?? 0;
  };

  it('20,000 silent sockets: they make room for each other past the pending-login cap, the rest end at the login timeout, and a real client logs in throughout', async () => {
    const TOTAL = 20_000;
    const baseFiles = openFiles(pid);
    let closedByServer = 0;
    let mostFiles = 0;
    let logins = 0;
    let flooding = true;
    // A legitimate client logs in again and again while the flood runs.
    const legit = (async () => {
      while (flooding) {
        const client = await login();
        expect((await client.query('SELECT 1 AS ok')).rows[0].ok).toBe(1);
        await client.end();
        logins += 1;
        await sleep(100);
      }
    })();
    const open = new Set<Socket>();
    // A thousand a second, for twenty seconds: every pending slot turns over about once a second.
    for (let sent = 0; sent < TOTAL; sent += 100) {
      for (let i = 0; i < 100; i++) {
        const socket = connect({ host: '127.0.0.1', port });
        open.add(socket);
        socket.on('error', () => undefined);
        socket.resume(); // read what the gateway says, so its close is seen
        socket.on('close', () => {
          open.delete(socket);
          closedByServer += 1;
        });
      }
      await sleep(100);
      mostFiles = Math.max(mostFiles, openFiles(pid));
    }
    await waitFor('the gateway to close every silent socket', () => (open.size === 0 ? true : undefined), { timeoutMs: LIMITS.loginTimeoutMs + 15_000, intervalMs: 100 });
    flooding = false;
    await legit;
    expect(closedByServer).toBe(TOTAL);
    // Never more sockets held than the pending logins allowed, plus the legitimate client's.
    expect(mostFiles - baseFiles).toBeLessThanOrEqual(LIMITS.maxPendingLogins + 50);
    expect(logins).toBeGreaterThan(10);
    expect(await metric('polygres_gateway_connections_limited_total', { reason: 'pending_logins_full' })).toBeGreaterThan(0);
    expect(await metric('polygres_gateway_connections_limited_total', { reason: 'login_timeout' })).toBeGreaterThan(0);
    expect(supervisedPid(cluster, 'gateway-zone-a')).toBe(pid);
  }, 180_000);

  it('a silent socket gets the login timeout error before it is closed', async () => {
    const client = await WireClient.connect({ port });
    const { messages, closed } = await client.drainUntilClosed(LIMITS.loginTimeoutMs + 3_000);
    expect(closed).toBe(true);
    expect(messages[0]).toMatchObject({ type: 'errorResponse', fields: { C: '57014', M: expect.stringContaining('canceling authentication due to timeout') } });
  });

  it('refuses sessions past the per-user cap and past the gateway cap with 53300, and admits again once one leaves', async () => {
    const held: Client[] = [];
    try {
      for (let i = 0; i < LIMITS.maxConnectionsPerUser; i++) held.push(await login('alice'));
      await expect(login('alice')).rejects.toMatchObject({ code: '53300', message: expect.stringContaining('too many connections for role "alice"') });
      // Other users still get in, up to the gateway's own cap.
      while (held.length < LIMITS.maxClientConnections) held.push(await login());
      await expect(login()).rejects.toMatchObject({ code: '53300', message: expect.stringContaining('too many clients already') });
      await held.pop()!.end();
      await waitFor('the slot to free', async () => {
        try {
          held.push(await login());
          return true;
        } catch {
          return undefined;
        }
      }, { timeoutMs: 5_000, intervalMs: 100 });
      expect(await metric('polygres_gateway_connections_limited_total', { reason: 'max_connections_per_user' })).toBe(1);
      expect(await metric('polygres_gateway_connections_limited_total', { reason: 'max_client_connections' })).toBeGreaterThanOrEqual(1);
      // Refusing is the gateway's answer, not its end (a refusal once crashed it).
      expect(supervisedPid(cluster, 'gateway-zone-a')).toBe(pid);
    } finally {
      await Promise.all(held.map((client) => client.end()));
    }
  });

  it('12 clients trickling 64 MB messages: memory stays within the budget, the gateway stops reading them, other sessions go on, and the slow-client timeout ends them', async () => {
    const bystander = await login();
    await sleep(500);
    const before = rssBytes(pid);
    const tricklers: WireClient[] = [];
    for (let i = 0; i < 12; i++) {
      const client = await WireClient.connect({ port });
      await client.login(SUPERUSER, cluster.secrets.superuserPassword);
      client.write(queryHeader(64 * MIB - 16)); // just within maxMessageBytes
      tricklers.push(client);
    }
    // Each sends up to 48 MiB of its 64 MiB message, 256 KiB at a time, as fast as the gateway reads.
    const chunk = Buffer.alloc(256 * 1024, 0x20);
    let peak = 0;
    const sent = new Array<number>(tricklers.length).fill(0);
    const started = Date.now();
    while (Date.now() - started < 4_000) {
      tricklers.forEach((client, i) => {
        if (sent[i]! < 48 * MIB && client.pendingWrite < MIB) {
          client.write(chunk);
          sent[i]! += chunk.length;
        }
      });
      peak = Math.max(peak, rssBytes(pid));
      await sleep(20);
    }
    expect(await metric('polygres_gateway_sessions_waiting_for_buffer')).toBeGreaterThan(0);
    // The budget stops reading a session once it is spent; what a session's last read brought
    // is over it: up to two 64 KiB reads on Node; Bun reads up to 512 KiB at a time.
    const lastReads = dataPathRuntime() === 'bun' ? 512 * 1024 : 128 * 1024;
    expect(await metric('polygres_gateway_client_buffer_bytes')).toBeLessThanOrEqual(LIMITS.clientBufferBytes + 12 * lastReads);
    expect((await bystander.query('SELECT 7 AS seven')).rows[0].seven).toBe(7);
    // Without the budget the gateway would hold what was sent: about 12 x 48 MiB.
    const sentInAll = sent.reduce((a, b) => a + b, 0);
    expect(sentInAll).toBeGreaterThan(LIMITS.clientBufferBytes);
    expect(peak - before).toBeLessThan(LIMITS.clientBufferBytes + 96 * MIB);
    // None of them finishes its message: the slow-client timeout ends every one.
    for (const client of tricklers) {
      const { messages, closed } = await client.drainUntilClosed(LIMITS.slowClientTimeoutMs + 5_000);
      expect(closed).toBe(true);
      expect(messages.at(-1)).toMatchObject({ type: 'errorResponse', fields: { C: '08006' } });
    }
    await waitFor('the budget to be given back', async () => ((await metric('polygres_gateway_client_buffer_bytes')) === 0 ? true : undefined), { timeoutMs: 5_000, intervalMs: 100 });
    expect(await metric('polygres_gateway_connections_limited_total', { reason: 'slow_client' })).toBeGreaterThanOrEqual(12);
    expect((await bystander.query('SELECT 8 AS eight')).rows[0].eight).toBe(8);
    await bystander.end();
    expect(supervisedPid(cluster, 'gateway-zone-a')).toBe(pid);
  }, 60_000);

  it('a client sending one byte a second is disconnected at the slow-client timeout', async () => {
    const client = await WireClient.connect({ port });
    await client.login(SUPERUSER, cluster.secrets.superuserPassword);
    const message = encodeFrontend({ type: 'query', sql: 'SELECT 1' });
    const started = Date.now();
    let at = 0;
    while (!client.closed && at < message.length - 1 && Date.now() - started < LIMITS.slowClientTimeoutMs + 5_000) {
      client.write(message.subarray(at, at + 1));
      at += 1;
      await sleep(1_000);
    }
    const { messages, closed } = await client.drainUntilClosed(LIMITS.slowClientTimeoutMs);
    expect(closed).toBe(true);
    expect(messages.at(-1)).toMatchObject({ type: 'errorResponse', fields: { C: '08006', M: expect.stringContaining('half sent or its results unread') } });
  }, 30_000);

  it('a client that never reads its results stops the server connection, not the gateway’s memory, and is ended at the slow-client timeout', async () => {
    const before = rssBytes(pid);
    const client = await WireClient.connect({ port });
    await client.login(SUPERUSER, cluster.secrets.superuserPassword);
    client.stopReading();
    // About 2 GB of rows, which the client never reads.
    client.write(encodeFrontend({ type: 'query', sql: "SELECT repeat('x', 1000) FROM generate_series(1, 2000000)" }));
    let peak = 0;
    const started = Date.now();
    while (Date.now() - started < LIMITS.slowClientTimeoutMs + 3_000 && !client.closed) {
      peak = Math.max(peak, rssBytes(pid));
      await sleep(100);
    }
    expect(peak - before).toBeLessThan(64 * MIB);
    client.resumeReading();
    const { closed } = await client.drainUntilClosed(10_000);
    expect(closed).toBe(true);
    const other = await login();
    expect((await other.query('SELECT 9 AS nine')).rows[0].nine).toBe(9);
    await other.end();
  }, 40_000);

  it('ends a session idle in a transaction with 25P03 and rolls the transaction back', async () => {
    const idle = await login('alice');
    const lost = new Promise<{ code?: string }>((resolve) => idle.once('error', resolve));
    await idle.query('BEGIN');
    await idle.query('INSERT INTO idle_writes VALUES (1)');
    expect(await lost).toMatchObject({ code: '25P03' });
    expect(await cluster.query('SELECT count(*)::int AS n FROM idle_writes')).toEqual([{ n: 0 }]);
    // One that sent nothing but BEGIN holds no server connection yet (the gateway answered it), and idles in its transaction all the same.
    const begun = await login('alice');
    const ended = new Promise<{ code?: string }>((resolve) => begun.once('error', resolve));
    await begun.query('BEGIN');
    expect(await ended).toMatchObject({ code: '25P03' });
    // A session that keeps working inside its transaction is not idle.
    const busy = await login('alice');
    await busy.query('BEGIN');
    for (let i = 0; i < 6; i++) {
      await busy.query('INSERT INTO idle_writes VALUES (2)');
      await sleep(LIMITS.idleInTransactionTimeoutMs / 2);
    }
    await busy.query('COMMIT');
    expect(await cluster.query('SELECT count(*)::int AS n FROM idle_writes')).toEqual([{ n: 6 }]);
    await busy.end();
    expect(await metric('polygres_gateway_connections_limited_total', { reason: 'idle_in_transaction_timeout' })).toBe(2);
  }, 30_000);
});

/**
 * Malformed input against a live gateway: random bytes, truncated and oversized messages, a
 * message length of 2^31 — before and after login. Each bad connection gets an ErrorResponse
 * and is closed; the gateway keeps serving everyone else and its memory stays bounded.
 */
import { connect } from 'node:net';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { encodeFrontend } from '../../runtime/src/protocol/encode-frontend';
import { type LocalCluster, startLocalCluster } from '../support/local-cluster';
import { supervisedPid } from '../support/faults';

/** Sends `bytes` on a fresh connection; resolves with what came back once the gateway closed it. */
function exchange(port: number, bytes: Buffer): Promise<{ reply: Buffer; closed: boolean }> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ reply: Buffer.concat(chunks), closed: false });
    }, 400);
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ reply: Buffer.concat(chunks), closed: true });
    });
    socket.on('connect', () => socket.write(bytes));
  });
}

function rssKb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
  return Number(line?.split(/\s+/)[1] ?? 0);
}

describe('malformed input against a gateway', () => {
  let cluster: LocalCluster;
  let port: number;

  beforeAll(async () => {
    cluster = await startLocalCluster(inject('testRoot'));
    port = cluster.layout.gateways[0]!.port;
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  const startup = encodeFrontend({ type: 'startup', protocolVersion: 196608, parameters: { user: 'postgres', database: 'postgres' } });

  it('answers a startup length of 2^31 and an oversized startup with an error, and closes', async () => {
    for (const bytes of [Buffer.from([0x7f, 0xff, 0xff, 0xff, 0, 3, 0, 0]), Buffer.concat([Buffer.from([0, 0, 0x4e, 0x30]), Buffer.alloc(20_000, 1)])]) {
      const { reply, closed } = await exchange(port, bytes);
      expect(closed).toBe(true);
      expect(String.fromCharCode(reply[0]!)).toBe('E');
      expect(reply.toString('latin1')).toContain('08P01');
    }
  });

  it('answers an unknown protocol version with an error', async () => {
    const { reply, closed } = await exchange(port, encodeFrontend({ type: 'startup', protocolVersion: 0x00020000, parameters: { user: 'x' } }));
    expect(closed).toBe(true);
    expect(reply.toString('latin1')).toContain('unsupported frontend protocol');
  });

  it('survives random bytes and truncated messages, and keeps serving', async () => {
    const pid = supervisedPid(cluster, 'gateway-zone-a');
    const before = rssKb(pid);
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 300 }), fc.boolean(), async (random, afterStartup) => {
        const bytes = afterStartup ? Buffer.concat([startup.subarray(0, Math.max(1, startup.length - 1 - (random[0]! % 5))), Buffer.from(random)]) : Buffer.from(random);
        const { reply, closed } = await exchange(port, bytes);
        // Either the gateway is still waiting for the rest of a plausible message (and we
        // hung up), or it answered with an error (or an SSL/auth reply) and closed.
        if (closed && reply.length > 0) expect(['E', 'N', 'S', 'R']).toContain(String.fromCharCode(reply[0]!));
      }),
      { numRuns: 100 },
    );
    const [row] = await cluster.query<{ ok: number }>('SELECT 1 AS ok');
    expect(row?.ok).toBe(1);
    expect(rssKb(pid) - before).toBeLessThan(100 * 1024);
  });

  it('closes an authenticated connection that sends a message length of 2^31, and only that one', async () => {
    const client = await cluster.connect();
    const victim = await cluster.connect();
    const socket = (victim as unknown as { connection: { stream: import('node:net').Socket } }).connection.stream;
    const lost = new Promise((resolve) => victim.on('error', resolve));
    socket.write(Buffer.from([0x51, 0x7f, 0xff, 0xff, 0xff]));
    const error = (await lost) as { code?: string; message: string };
    expect(error.code ?? error.message).toMatch(/08P01|exceeds the limit|terminated/);
    expect((await client.query('SELECT 2 AS still')).rows[0].still).toBe(2);
    await client.end();
  });
});

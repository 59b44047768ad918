import { createServer, connect, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import pino from 'pino';
import { ClientLimits } from '../session/client-limits';
import { clientLimitsSchema } from '../spec/schema';
import { ClientSession } from '../session/client-session';
import type { SessionContext } from '../session/session-context';
import type { MuxChannel } from './mux-channel';
import { MuxConnection } from './mux-connection';
import { MuxLinks } from './mux-links';
import { ENVELOPE_HEADER_BYTES } from './mux-protocol';

const servers: Server[] = [];
const sockets: Socket[] = [];

afterEach(() => {
  for (const socket of sockets.splice(0)) socket.destroy();
  for (const server of servers.splice(0)) server.close();
});

/** Two ends of one link over loopback TCP: `gateway` opens sessions, `pooler` accepts them. */
/** What each accepted channel received, collected from the moment it opened (as a session would). */
const receivedBy = new WeakMap<MuxChannel, Buffer[]>();

async function linkPair(): Promise<{ gateway: MuxConnection; gatewaySocket: Socket; pooler: MuxConnection; accepted: MuxChannel[]; poolerSocket: () => Socket }> {
  const accepted: MuxChannel[] = [];
  let poolerSocket: Socket | undefined;
  let pooler: MuxConnection | undefined;
  const server = createServer((socket) => {
    sockets.push(socket);
    poolerSocket = socket;
    pooler = new MuxConnection(socket);
    pooler.onOpen = (channel) => {
      accepted.push(channel);
      receivedBy.set(channel, collect(channel));
    };
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const socket = connect({ host: '127.0.0.1', port });
  sockets.push(socket);
  await new Promise((resolve) => socket.once('connect', resolve));
  const gateway = new MuxConnection(socket);
  await until(() => pooler !== undefined);
  return { gateway, gatewaySocket: socket, pooler: pooler!, accepted, poolerSocket: () => poolerSocket! };
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  if (!condition()) throw new Error('condition not met in time');
}

function collect(channel: MuxChannel): Buffer[] {
  const chunks: Buffer[] = [];
  channel.on('data', (chunk: Buffer) => chunks.push(chunk));
  return chunks;
}

describe('MuxConnection', () => {
  it('carries many sessions on one connection, each in order, both ways', async () => {
    const { gateway, accepted } = await linkPair();
    const a = gateway.open();
    const b = gateway.open();
    const fromA = collect(a);
    const fromB = collect(b);
    // Writes of one turn, interleaved between sessions: envelopes are coalesced per session run.
    for (let i = 0; i < 50; i++) {
      a.write(Buffer.from(`a${i};`));
      a.write(Buffer.from(`A${i};`));
      b.write(Buffer.from(`b${i};`));
    }
    await until(() => accepted.length === 2);
    const [poolerA, poolerB] = accepted as [MuxChannel, MuxChannel];
    const atA = receivedBy.get(poolerA)!;
    const atB = receivedBy.get(poolerB)!;
    await until(() => Buffer.concat(atB).toString().endsWith('b49;'));
    expect(Buffer.concat(atA).toString()).toBe(Array.from({ length: 50 }, (_, i) => `a${i};A${i};`).join(''));
    expect(Buffer.concat(atB).toString()).toBe(Array.from({ length: 50 }, (_, i) => `b${i};`).join(''));

    poolerB.write(Buffer.from('to b'));
    poolerA.write(Buffer.from('to a'));
    await until(() => fromA.length > 0 && fromB.length > 0);
    expect(Buffer.concat(fromA).toString()).toBe('to a');
    expect(Buffer.concat(fromB).toString()).toBe('to b');
  });

  it('delivers a payload split across reads whole (copied out of the reassembly buffer)', async () => {
    const { gateway, accepted } = await linkPair();
    const channel = gateway.open();
    const big = Buffer.alloc(3 * 1024 * 1024, 7);
    big.write('end', big.length - 3);
    channel.write(big);
    await until(() => accepted.length === 1);
    const received = receivedBy.get(accepted[0]!)!;
    await until(() => received.reduce((sum, chunk) => sum + chunk.length, 0) === big.length);
    expect(Buffer.concat(received).equals(big)).toBe(true);
  });

  it('ends a session on both sides, and all of them when the connection dies', async () => {
    const { gateway, pooler, accepted, poolerSocket } = await linkPair();
    const first = gateway.open();
    const second = gateway.open();
    await until(() => accepted.length === 2);
    const closedAtPooler: number[] = [];
    for (const channel of accepted) channel.on('close', () => closedAtPooler.push(channel.id));

    first.end();
    await until(() => closedAtPooler.length === 1);
    expect(closedAtPooler).toEqual([first.id]);
    expect(pooler.sessionCount).toBe(1);
    expect(gateway.sessionCount).toBe(1);
    // Writing to an ended session is a no-op, not an error.
    expect(() => first.write(Buffer.from('late'))).not.toThrow();

    let secondClosed = false;
    second.on('close', () => (secondClosed = true));
    poolerSocket().destroy();
    await until(() => secondClosed && closedAtPooler.length === 2);
    expect(gateway.isClosed).toBe(true);
    expect(gateway.sessionCount).toBe(0);
  });

  it('asks the peer to stop sending when a paused session holds too much, and to go on after resume', async () => {
    const { gateway, accepted } = await linkPair();
    const channel = gateway.open();
    channel.write(Buffer.from('hello'));
    await until(() => accepted.length === 1 && receivedBy.get(accepted[0]!)!.length === 1);
    const atPooler = accepted[0]!;
    const received = receivedBy.get(atPooler)!;
    atPooler.pause();
    const piece = Buffer.alloc(256 * 1024, 1);
    for (let i = 0; i < 6; i++) channel.write(piece);
    // The pooler's side holds the bytes; past the limit it tells the gateway's side to stop.
    await until(() => channel.writableLength === Number.MAX_SAFE_INTEGER);
    expect(received.length).toBe(1);
    let drained = false;
    channel.once('drain', () => (drained = true));
    atPooler.resume();
    await until(() => drained);
    await until(() => received.reduce((sum, chunk) => sum + chunk.length, 0) === 5 + 6 * piece.length);
    expect(Buffer.concat(received).subarray(0, 5).toString()).toBe('hello');
    expect(channel.writableLength).toBeLessThan(Number.MAX_SAFE_INTEGER);
  });

  it('takes no new session once it is closing', async () => {
    const { gateway } = await linkPair();
    gateway.close();
    // MuxLinks asks isClosed before it opens a session on a link it found in its map.
    expect(gateway.isClosed).toBe(true);
  });

  it('drops the whole link on a malformed envelope', async () => {
    const { gateway, gatewaySocket, pooler, accepted } = await linkPair();
    const open = gateway.open();
    await until(() => accepted.length === 1);
    let closed = false;
    accepted[0]!.on('close', () => (closed = true));
    // Raw bytes on the gateway's socket: an envelope of a kind nobody defined.
    const bad = Buffer.alloc(ENVELOPE_HEADER_BYTES);
    bad[0] = 0x21;
    bad.writeInt32BE(8, 1);
    gatewaySocket.write(bad);
    await until(() => pooler.isClosed && closed);
    expect(open.destroyed || gateway.isClosed).toBe(true);
  });
});

describe('MuxLinks handshake', () => {
  async function sessionServer(linkToken: string): Promise<{ port: number; links: MuxConnection[] }> {
    const links: MuxConnection[] = [];
    const context: SessionContext = {
      log: pino({ level: 'silent' }),
      authenticator: { authenticate: () => Promise.reject(new Error('not used')) } as unknown as SessionContext['authenticator'],
      backend: () => {
        throw new Error('not used');
      },
      linkToken,
      limits: new ClientLimits(clientLimitsSchema.parse({}), 'pooler'),
      acceptLink: (socket) => {
        socket.write(Buffer.from('M'));
        const link = new MuxConnection(socket);
        link.onOpen = () => undefined;
        links.push(link);
      },
      register: () => ({ processId: 1, secretKey: 1 }),
      unregister: () => undefined,
      cancel: () => undefined,
      metrics: { statementCacheHit: () => undefined, statementCacheMiss: () => undefined },
    };
    const server = createServer((socket) => {
      sockets.push(socket);
      new ClientSession(socket, context);
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { port: (server.address() as { port: number }).port, links };
  }

  it('opens one link per pooler and shares it between sessions', async () => {
    const { port, links } = await sessionServer('secret');
    const muxLinks = new MuxLinks('secret');
    const [a, b] = await Promise.all([muxLinks.channel({ host: '127.0.0.1', port }), muxLinks.channel({ host: '127.0.0.1', port })]);
    expect(a.id).not.toBe(b.id);
    await until(() => links.length === 1 && links[0]!.sessionCount === 2);
    muxLinks.close();
  });

  it('refuses a wrong link token with the pooler\'s reason', async () => {
    const { port, links } = await sessionServer('secret');
    await expect(new MuxLinks('guess').channel({ host: '127.0.0.1', port })).rejects.toThrow(/refused the link: invalid link token/);
    expect(links).toEqual([]);
  });
});

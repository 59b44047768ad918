import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { callAdmin, fetchExchange } from './http-client';

/**
 * A minimal HTTP/1.1 server on a raw socket, so a test controls each connection: it answers
 * every request with `{"n": <request number>}` and keeps the connection open, except that it
 * drops (resets, unanswered) the requests `drop` names.
 */
async function server(drop: (request: number) => boolean = () => false): Promise<{ port: number; connections: () => number; close: () => void }> {
  let connections = 0;
  let requests = 0;
  const sockets = new Set<Socket>();
  const listening: Server = createServer((socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    let received = '';
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1');
      // Every request here has a small body; the whole of it arrives with its headers.
      while (received.includes('\r\n\r\n')) {
        const headerEnd = received.indexOf('\r\n\r\n') + 4;
        const length = Number(/content-length: (\d+)/i.exec(received.slice(0, headerEnd))?.[1] ?? 0);
        if (received.length < headerEnd + length) return;
        received = received.slice(headerEnd + length);
        requests += 1;
        if (drop(requests)) {
          socket.resetAndDestroy();
          return;
        }
        const body = JSON.stringify({ n: requests });
        socket.write(`HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\nconnection: keep-alive\r\n\r\n${body}`);
      }
    });
  });
  await new Promise<void>((resolve) => listening.listen(0, '127.0.0.1', resolve));
  return {
    port: (listening.address() as { port: number }).port,
    connections: () => connections,
    close: () => {
      for (const socket of sockets) socket.destroy();
      listening.close();
    },
  };
}

describe('callAdmin', () => {
  const closers: (() => void)[] = [];
  afterEach(() => {
    for (const close of closers.splice(0)) close();
  });

  it('with keepAlive, calls share one connection; without, each takes its own', async () => {
    const kept = await server();
    closers.push(kept.close);
    for (const n of [1, 2, 3]) expect(await callAdmin({ host: '127.0.0.1', port: kept.port, token: 't', method: 'POST', path: '/v1/verifier', body: { user: 'u' }, keepAlive: true })).toEqual({ n });
    expect(kept.connections()).toBe(1);

    const single = await server();
    closers.push(single.close);
    for (const n of [1, 2]) expect(await callAdmin({ host: '127.0.0.1', port: single.port, token: 't', path: '/v1/status' })).toEqual({ n });
    expect(single.connections()).toBe(2);
  });

  it('a kept-alive connection the server drops as a call goes out: the call goes again on a new connection and gets its answer', async () => {
    const dropping = await server((request) => request === 2);
    closers.push(dropping.close);
    const call = () => callAdmin<{ n: number }>({ host: '127.0.0.1', port: dropping.port, token: 't', method: 'POST', path: '/v1/verifier', body: { user: 'u' }, keepAlive: true });
    expect(await call()).toEqual({ n: 1 });
    expect(await call()).toEqual({ n: 3 });
    expect(dropping.connections()).toBe(2);
  });

  it('a call dropped on a new connection is not repeated: the caller hears the failure', async () => {
    const dropping = await server(() => true);
    closers.push(dropping.close);
    await expect(callAdmin({ host: '127.0.0.1', port: dropping.port, token: 't', method: 'POST', path: '/v1/verifier', body: { user: 'u' }, keepAlive: true })).rejects.toThrow(/POST \/v1\/verifier on 127\.0\.0\.1/);
    expect(dropping.connections()).toBe(1);
  });
});

/** Bun sends kept-alive calls through its fetch; Node's own fetch follows the same path here. */
describe('fetchExchange', () => {
  const closers: (() => void)[] = [];
  afterEach(() => {
    for (const close of closers.splice(0)) close();
  });
  const verifierCall = (port: number, timeoutMs?: number) => ({ host: '127.0.0.1', port, token: 't', method: 'POST' as const, path: '/v1/verifier', body: { user: 'u' }, keepAlive: true, ...(timeoutMs ? { timeoutMs } : {}) });

  it('calls share kept-alive connections and get their answers', async () => {
    const kept = await server();
    closers.push(kept.close);
    for (const n of [1, 2, 3, 4, 5, 6, 7, 8]) {
      const answer = await fetchExchange(fetch, verifierCall(kept.port), 'POST');
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.text)).toEqual({ n });
    }
    // Node's fetch may open a second connection while the first call's completes; never one per call.
    expect(kept.connections()).toBeLessThanOrEqual(2);
  });

  it('a call the server drops goes again once, on a new connection, and gets its answer', async () => {
    const dropping = await server((request) => request === 2);
    closers.push(dropping.close);
    expect(JSON.parse((await fetchExchange(fetch, verifierCall(dropping.port), 'POST')).text)).toEqual({ n: 1 });
    expect(JSON.parse((await fetchExchange(fetch, verifierCall(dropping.port), 'POST')).text)).toEqual({ n: 3 });
    expect(dropping.connections()).toBe(2);
  });

  it('a call dropped twice fails: the caller hears it', async () => {
    const dropping = await server(() => true);
    closers.push(dropping.close);
    await expect(fetchExchange(fetch, verifierCall(dropping.port), 'POST')).rejects.toThrow();
    expect(dropping.connections()).toBe(2);
  });

  it('a server that never answers: the call ends at its deadline and says so', async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    closers.push(() => silent.close());
    await expect(fetchExchange(fetch, verifierCall((silent.address() as { port: number }).port, 300), 'POST')).rejects.toThrow('no answer within 300 ms');
  });
});

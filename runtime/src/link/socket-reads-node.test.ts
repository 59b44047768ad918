import { type AddressInfo, type Socket, connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { connectReading, createReadingServer } from './socket-reads-node';

function listening(onConnection: (socket: Socket) => void): Promise<{ port: number; close: () => Promise<void> }> {
  const server = createReadingServer(onConnection);
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve({
        port: (server.address() as AddressInfo).port,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}

describe('socket reads through onread (Node)', () => {
  it('an accepted socket emits every byte as chunks it may keep, and the server sees it close', async () => {
    const chunks: Buffer[] = [];
    let remoteAddress: string | undefined;
    let readsThroughOnread = false;
    const { port, close } = await listening((socket) => {
      remoteAddress = socket.remoteAddress;
      // Node keeps a socket's onread buffer under the kBuffer symbol: unset means the fallback
      // (stream reads) ran, i.e. Node's sockets are no longer laid out as socket-reads expects.
      const kBuffer = Object.getOwnPropertySymbols(socket).find((symbol) => symbol.description === 'kBuffer');
      readsThroughOnread = kBuffer !== undefined && Boolean((socket as unknown as Record<symbol, unknown>)[kBuffer]);
      socket.on('data', (chunk: Buffer) => chunks.push(chunk));
      socket.on('end', () => socket.end());
    });
    const client = connect(port, '127.0.0.1', () => {
      client.write('first ');
      setTimeout(() => client.end('second'), 20);
    });
    await new Promise((resolve) => client.on('close', resolve));
    // server.close() completes only once the server counts no connection left open.
    await close();
    // Chunks are copies: the shared read buffer was overwritten by the second read, they were not.
    expect(Buffer.concat(chunks).toString()).toBe('first second');
    expect(remoteAddress).toBe('127.0.0.1');
    expect(readsThroughOnread).toBe(true);
  });

  it('pause() stops reading at the socket and resume() starts again', async () => {
    let server: Socket | undefined;
    const received: string[] = [];
    const { port, close } = await listening((socket) => {
      server = socket;
      socket.on('data', (chunk: Buffer) => received.push(chunk.toString()));
    });
    const client = connectReading({ host: '127.0.0.1', port });
    await new Promise<void>((resolve) => client.once('connect', () => resolve()));
    await new Promise((resolve) => setTimeout(resolve, 20));
    server!.pause();
    client.write('while paused');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(received).toEqual([]);
    server!.resume();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(received.join('')).toBe('while paused');
    // The connecting side reads through onread as well and still emits 'data'.
    const echoed = new Promise<string>((resolve) => client.once('data', (chunk: Buffer) => resolve(chunk.toString())));
    server!.write('back');
    expect(await echoed).toBe('back');
    client.destroy();
    server!.destroy();
    await close();
  });
});

/**
 * Socket reads on Node without its stream machinery, for the proxy's hot path. A socket created
 * with `onread` reads into one buffer shared by the whole process; each read is copied out at
 * once into a small pooled slice that its reader owns. This skips the per-read allocation and
 * the readable-stream bookkeeping (push, addChunk, flowing checks), which cost about as much
 * per statement as the proxy's own work. `pause()` still stops reading at the socket.
 *
 * Node offers `onread` only to sockets it connects. An accepted socket gets it by taking the
 * connection's handle before anything was read (the server pauses on connect) and wrapping it
 * in a new Socket created with `onread`, which emits each chunk as 'data' so readers need not
 * know the difference. Should a Node version lay sockets out otherwise, the accepted socket is
 * used as it came.
 */
import { type OnReadOpts, type Server, Socket, connect, createServer } from 'node:net';
import { TLSSocket } from 'node:tls';
import type { ByteChannel } from './byte-channel';
import type { SocketAddress } from './socket-address';
import type { ServerTls } from './socket-reads-types';

/** Where every `onread` socket of this process reads; each read is copied out before the next. */
const READ_BUFFER = Buffer.allocUnsafe(64 * 1024);

/** `onread` options that hand each read to `deliver` as a chunk it may keep. */
function copiedReads(deliver: (chunk: Buffer) => void): OnReadOpts {
  return {
    buffer: READ_BUFFER,
    callback: (bytes: number, buffer: Uint8Array): boolean => {
      deliver(Buffer.from(buffer.subarray(0, bytes)));
      return true;
    },
  };
}

/** A TCP or Unix-socket server whose connections read through `copiedReads` and emit 'data'. */
export function createReadingServer(onConnection: (socket: Socket) => void): Server {
  return createServer({ pauseOnConnect: true }, (accepted) => onConnection(withCopiedReads(accepted)));
}

function withCopiedReads(accepted: Socket): Socket {
  const internals = accepted as unknown as { _handle?: unknown };
  const handle = internals._handle;
  if (handle === null || typeof handle !== 'object') {
    accepted.resume();
    return accepted;
  }
  internals._handle = null;
  const socket: Socket = new Socket({
    handle,
    readable: true,
    writable: true,
    onread: copiedReads((chunk) => socket.emit('data', chunk)),
  } as ConstructorParameters<typeof Socket>[0]);
  // The first Socket owns nothing now; destroying it tells the server the connection left its
  // count (the new Socket is closed by its session).
  accepted.destroy();
  return socket;
}

/** Connects like `net.connect`; every read goes to `deliver` (no 'data' event). */
export function connectDelivering(address: SocketAddress, deliver: (chunk: Buffer) => void): Socket {
  return connect({ ...address, onread: copiedReads(deliver) });
}

/** Connects like `net.connect`; the socket reads through `copiedReads` and emits 'data'. */
export function connectReading(address: SocketAddress): Socket {
  const socket: Socket = connectDelivering(address, (chunk) => socket.emit('data', chunk));
  return socket;
}

/** A client's connection or a gateway's link: a socket of its own, not a session inside a link. */
export function isNetworkSocket(channel: ByteChannel): boolean {
  return channel instanceof Socket;
}

/** The server's end of TLS on `channel` after an SSLRequest; undefined when it is not a network socket. */
export function startServerTls(channel: ByteChannel, tls: ServerTls): TLSSocket | undefined {
  if (!(channel instanceof Socket)) return undefined;
  return new TLSSocket(channel, { isServer: true, secureContext: tls.context });
}

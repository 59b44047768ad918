/**
 * Sockets on Bun through its `node:net` compatibility layer (POLYGRES_BUN_SOCKETS=node): the
 * fallback to Bun's own sockets (socket-reads-bun.ts), and what bench:bun-sockets compares them
 * with. Bun's `node:net` reads natively and hands each read to 'data' as a buffer the reader
 * owns, so nothing is re-wrapped; TLS is `node:tls`, as on Node.
 */
import { type Server, type Socket, connect, createServer } from 'node:net';
import type { SocketAddress } from './socket-address';

export { isNetworkSocket, startServerTls } from './socket-reads-node';

/** A TCP or Unix-socket server whose connections emit 'data' with chunks the reader keeps. */
export function createReadingServer(onConnection: (socket: Socket) => void): Server {
  return createServer(onConnection);
}

/** Connects like `net.connect`; every read goes to `deliver`. */
export function connectDelivering(address: SocketAddress, deliver: (chunk: Buffer) => void): Socket {
  const socket = connect(address);
  socket.on('data', deliver);
  return socket;
}

/** Connects like `net.connect`; the socket emits 'data'. */
export function connectReading(address: SocketAddress): Socket {
  return connect(address);
}

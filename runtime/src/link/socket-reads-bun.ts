/**
 * Socket reads on Bun: its `node:net` sockets read natively, without Node's stream layer, and
 * hand each read to 'data' as a buffer the reader owns — what socket-reads-node.ts works to get
 * out of Node. So nothing is re-wrapped here.
 */
import { type Server, type Socket, connect, createServer } from 'node:net';
import type { SocketAddress } from './socket-address';

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

/**
 * Socket reads for the proxy's hot path, one module per runtime: on Node, reads through
 * `onread` into a shared buffer (which depends on how Node lays out its sockets, see
 * socket-reads-node.ts); on Bun, its own sockets as they are. Every reader gets chunks it may
 * keep, and `pause()` stops reading at the socket on both.
 */
import type { Server, Socket } from 'node:net';
import type { SocketAddress } from './socket-address';
import * as onBun from './socket-reads-bun';
import * as onNode from './socket-reads-node';

/** This process runs on Bun (POLYGRES_DATA_PATH_RUNTIME=bun) or on Node. */
const reads = typeof process.versions.bun === 'string' ? onBun : onNode;

/** A TCP or Unix-socket server whose connections emit 'data' with chunks the reader may keep. */
export const createReadingServer: (onConnection: (socket: Socket) => void) => Server = reads.createReadingServer;

/** Connects like `net.connect`; every read goes to `deliver`, as a chunk it may keep. */
export const connectDelivering: (address: SocketAddress, deliver: (chunk: Buffer) => void) => Socket = reads.connectDelivering;

/** Connects like `net.connect`; the socket emits 'data' with chunks the reader may keep. */
export const connectReading: (address: SocketAddress) => Socket = reads.connectReading;

/**
 * Sockets for the proxy's hot path, one module per runtime: on Node, `net` sockets read through
 * `onread` into a shared buffer (which depends on how Node lays out its sockets, see
 * socket-reads-node.ts); on Bun, its own native sockets (socket-reads-bun.ts) or, asked, its
 * `node:net` (socket-reads-bun-node-net.ts). Every reader
 * gets chunks it may keep, and `pause()` stops reading at the socket on both.
 */
import type { ByteChannel } from './byte-channel';
import type { SocketAddress } from './socket-address';
import * as onBun from './socket-reads-bun';
import * as onBunNodeNet from './socket-reads-bun-node-net';
import * as onNode from './socket-reads-node';
import type { NetworkChannel, ReadingServer, ServerTls } from './socket-reads-types';

export type { NetworkChannel, ReadingServer, ServerTls } from './socket-reads-types';

/**
 * This process runs on Bun (POLYGRES_DATA_PATH_RUNTIME=bun) or on Node. On Bun, its own sockets
 * unless POLYGRES_BUN_SOCKETS=node asks for its `node:net` layer: a fallback, should Bun's own
 * sockets misbehave somewhere, and the comparison `npm run bench:bun-sockets` makes.
 */
const sockets = typeof process.versions.bun !== 'string' ? onNode : bunSocketsChoice() === 'node' ? onBunNodeNet : onBun;

function bunSocketsChoice(): 'native' | 'node' {
  const asked = process.env.POLYGRES_BUN_SOCKETS?.trim() || 'native';
  if (asked === 'native' || asked === 'node') return asked;
  throw new Error(`POLYGRES_BUN_SOCKETS=${asked} is not a choice: use native (Bun's own sockets, the default) or node (Bun's node:net)`);
}

/** A TCP or Unix-socket server whose connections emit 'data' with chunks the reader may keep. */
export const createReadingServer: (onConnection: (socket: NetworkChannel) => void) => ReadingServer = sockets.createReadingServer;

/** Connects; every read goes to `deliver`, as a chunk it may keep. */
export const connectDelivering: (address: SocketAddress, deliver: (chunk: Buffer) => void) => NetworkChannel = sockets.connectDelivering;

/** Connects; the channel emits 'data' with chunks the reader may keep. */
export const connectReading: (address: SocketAddress) => NetworkChannel = sockets.connectReading;

/** A client's connection or a gateway's link: a socket of its own, not a session inside a link. */
export const isNetworkSocket: (channel: ByteChannel) => boolean = sockets.isNetworkSocket;

/** The server's end of TLS on `channel` after an SSLRequest; undefined when it is not a network socket. */
export const startServerTls: (channel: ByteChannel, tls: ServerTls) => NetworkChannel | undefined = sockets.startServerTls;

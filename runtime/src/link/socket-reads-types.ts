/**
 * What the proxy's servers and connections are, whichever runtime's sockets carry them
 * (socket-reads-node.ts, socket-reads-bun.ts): Node's `net.Server` and `net.Socket` are these,
 * and so are the Bun-native ones.
 */
import type { SecureContext } from 'node:tls';
import type { ByteChannel } from './byte-channel';

/** A connection of its own on the network (or a Unix socket): a client's, a link's, Postgres'. */
export interface NetworkChannel extends ByteChannel {
  readonly remoteAddress?: string | undefined;
  /** True until the connection is open (connects only). */
  readonly connecting?: boolean;
  /**
   * Where a channel that can call a reader directly sends every read instead of a 'data' event
   * (undefined: back to events). An event per read is a measurable part of a Bun gateway's
   * profile; Node's sockets do not have this, and their readers listen for 'data'.
   */
  readTo?(reader: ((chunk: Buffer) => void) | undefined): void;
  removeListener(event: 'data', listener: (chunk: Buffer) => void): unknown;
  removeListener(event: 'error', listener: (error: Error) => void): unknown;
  removeListener(event: 'close', listener: () => void): unknown;
}

export interface ReadingServer {
  listen(port: number, host: string, callback: () => void): unknown;
  listen(path: string, callback: () => void): unknown;
  close(): unknown;
  once(event: 'error', listener: (error: Error) => void): unknown;
}

/** A served certificate as each runtime's TLS takes it: Node a context, Bun the PEM pair. */
export interface ServerTls {
  readonly context: SecureContext;
  readonly material: { readonly cert: string; readonly key: string };
  readonly certificateDer: Buffer;
}

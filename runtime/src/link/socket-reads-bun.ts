/**
 * Sockets on Bun: its own (`Bun.listen`, `Bun.connect`) behind BunSocketChannel, without the
 * `node:net` layer Bun keeps for compatibility. Every read is a buffer of its own that the
 * reader keeps, as on Node after socket-reads-node.ts's work. TLS after an SSLRequest is Bun's
 * upgrade of the same socket; a `node:net` socket that reaches here (a link's TLS client, made
 * by `node:tls`) is upgraded as on Node.
 */
import { EventEmitter } from 'node:events';
import { Socket } from 'node:net';
import { BunSocketChannel, CHANNEL_HANDLERS, type NativeHandlers, type NativeSocket } from './bun-socket-channel';
import type { ByteChannel } from './byte-channel';
import type { SocketAddress } from './socket-address';
import type { NetworkChannel, ReadingServer, ServerTls } from './socket-reads-types';
import * as onNode from './socket-reads-node';

interface NativeListener {
  stop(closeActiveConnections?: boolean): void;
}

interface BunSockets {
  listen(options: ({ hostname: string; port: number } | { unix: string }) & { socket: NativeHandlers }): NativeListener;
  connect(options: ({ hostname: string; port: number } | { unix: string }) & { socket: NativeHandlers; data: BunSocketChannel }): Promise<NativeSocket>;
}

const bun = (): BunSockets => (globalThis as unknown as { Bun: BunSockets }).Bun;

/** A TCP or Unix-socket server whose connections are BunSocketChannels emitting 'data'. */
export function createReadingServer(onConnection: (socket: NetworkChannel) => void): ReadingServer {
  return new BunReadingServer(onConnection);
}

class BunReadingServer extends EventEmitter implements ReadingServer {
  private listener: NativeListener | undefined;
  private readonly handlers: NativeHandlers;

  constructor(onConnection: (socket: NetworkChannel) => void) {
    super();
    this.handlers = {
      ...CHANNEL_HANDLERS,
      open: (socket) => {
        const channel = new BunSocketChannel();
        socket.data = channel;
        channel.opened(socket);
        onConnection(channel);
      },
    };
  }

  listen(portOrPath: number | string, hostOrCallback: string | (() => void), maybeCallback?: () => void): this {
    const callback = typeof hostOrCallback === 'function' ? hostOrCallback : maybeCallback;
    try {
      this.listener =
        typeof portOrPath === 'string'
          ? bun().listen({ unix: portOrPath, socket: this.handlers })
          : bun().listen({ hostname: typeof hostOrCallback === 'string' ? hostOrCallback : '0.0.0.0', port: portOrPath, socket: this.handlers });
    } catch (error) {
      process.nextTick(() => this.emit('error', error));
      return this;
    }
    if (callback) process.nextTick(callback);
    return this;
  }

  /** Stops accepting; connections already accepted go on, as with Node's server.close(). */
  close(): this {
    this.listener?.stop(false);
    this.listener = undefined;
    return this;
  }
}

/** Connects with Bun.connect; every read goes to `deliver`. */
export function connectDelivering(address: SocketAddress, deliver: (chunk: Buffer) => void): NetworkChannel {
  return connectChannel(address, new BunSocketChannel(deliver));
}

/** Connects with Bun.connect; the channel emits 'data'. */
export function connectReading(address: SocketAddress): NetworkChannel {
  return connectChannel(address, new BunSocketChannel());
}

function connectChannel(address: SocketAddress, channel: BunSocketChannel): BunSocketChannel {
  const target = 'path' in address ? { unix: address.path } : { hostname: address.host, port: address.port };
  // A failed connect reaches the channel through connectError as 'error' and 'close'.
  bun()
    .connect({ ...target, socket: CHANNEL_HANDLERS, data: channel })
    .catch(() => undefined);
  return channel;
}

/** A client's connection or a gateway's link: a socket of its own, not a session inside a link. */
export function isNetworkSocket(channel: ByteChannel): boolean {
  return channel instanceof BunSocketChannel || channel instanceof Socket;
}

/** The server's end of TLS on `channel` after an SSLRequest; undefined when it is not a network socket. */
export function startServerTls(channel: ByteChannel, tls: ServerTls): NetworkChannel | undefined {
  if (!(channel instanceof BunSocketChannel)) return onNode.startServerTls(channel, tls);
  const raw = channel.takeSocket();
  if (!raw) return undefined;
  raw.data = undefined;
  const secure = new BunSocketChannel();
  const handlers: NativeHandlers = {
    ...CHANNEL_HANDLERS,
    // A failed handshake ends the connection, as Node's TLSSocket does.
    handshake: (socket, success) => {
      if (!success) socket.terminate();
    },
  };
  raw.upgradeTLS({ tls: tls.material, socket: handlers, data: secure, isServer: true });
  // Whoever counts the plain connection (the gateway's gauge) hears it close with the TLS one.
  secure.once('close', () => channel.closed());
  return secure;
}

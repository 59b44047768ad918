/**
 * A ByteChannel over one of Bun's own sockets (`Bun.connect`, `Bun.listen`), for the data path
 * on Bun. Bun's `node:net` is a compatibility layer over these same sockets; using them as
 * they are skips it (its streams, its per-socket listeners and its write queue): as a bare
 * pipe under pgbench they cost about half of Node's CPU per transaction. One set of handlers
 * serves every socket (Bun's design), and each socket's `data` points at its channel.
 *
 * What Bun's sockets do not do, the channel does: a write the kernel takes only in part keeps
 * the rest, sent in order on 'drain' (the congestion signal is `writableLength`, as on Node);
 * cork/uncork joins the writes between them into one; 'close' is emitted once, after 'error'
 * when there was one.
 */
import { EventEmitter } from 'node:events';
import type { ByteChannel } from './byte-channel';

/** What the channel uses of Bun's native socket (this build has no Bun types). */
export interface NativeSocket {
  write(data: Uint8Array): number;
  end(): void;
  terminate(): void;
  pause(): void;
  resume(): void;
  setNoDelay(noDelay?: boolean): boolean;
  upgradeTLS(options: { tls: { cert: string; key: string }; socket: NativeHandlers; data?: unknown; isServer?: boolean }): [NativeSocket, NativeSocket];
  readonly remoteAddress: string;
  data: BunSocketChannel | undefined;
}

export interface NativeHandlers {
  open(socket: NativeSocket): void;
  data(socket: NativeSocket, chunk: Buffer): void;
  drain(socket: NativeSocket): void;
  close(socket: NativeSocket, error?: Error): void;
  error(socket: NativeSocket, error: Error): void;
  end(socket: NativeSocket): void;
  connectError(socket: NativeSocket, error: Error): void;
  handshake?(socket: NativeSocket, success: boolean, error: Error | null): void;
}

/** Every socket's events go to the channel its `data` names. */
export const CHANNEL_HANDLERS: NativeHandlers = {
  open: (socket) => socket.data?.opened(socket),
  data: (socket, chunk) => socket.data?.received(chunk),
  drain: (socket) => socket.data?.drained(),
  close: (socket, error) => socket.data?.closed(error),
  error: (socket, error) => socket.data?.failed(error),
  // The peer ended its side: the Postgres protocol has no half-open connections, so ours ends
  // too, after what is still queued (Node's allowHalfOpen: false).
  end: (socket) => (socket.data ? socket.data.end() : socket.end()),
  connectError: (socket, error) => {
    socket.data?.failed(error);
    socket.data?.closed();
  },
};

export class BunSocketChannel extends EventEmitter implements ByteChannel {
  private socket: NativeSocket | undefined;
  /** Bytes the kernel has not taken yet, oldest first (before the connection opens: all of them). */
  private readonly queue: Uint8Array[] = [];
  private queuedBytes = 0;
  private corks = 0;
  private readonly corked: Uint8Array[] = [];
  private corkedBytes = 0;
  private ending = false;
  private isClosed = false;
  private readingPaused = false;
  private noDelay = true;
  destroyed = false;
  /** Connecting until Bun opens the socket (Node's name, for callers that wait for 'connect'). */
  connecting = true;

  /** `deliver`, when given, takes every read instead of a 'data' event (as connectDelivering does on Node). */
  constructor(private deliver?: (chunk: Buffer) => void) {
    super();
  }

  /** Every read goes to `reader` from now on, not to 'data' listeners (undefined: to them again). */
  readTo(reader: ((chunk: Buffer) => void) | undefined): void {
    this.deliver = reader;
  }

  get remoteAddress(): string | undefined {
    return this.socket?.remoteAddress;
  }

  /**
   * The raw socket, for a TLS upgrade: the channel stops reading and writing it, and says
   * 'close' when told the connection ended (as Node's socket under a TLSSocket does).
   */
  takeSocket(): NativeSocket | undefined {
    const socket = this.socket;
    this.socket = undefined;
    this.destroyed = true;
    return socket;
  }

  // ------------------------------------------------------------------ from Bun's handlers

  opened(socket: NativeSocket): void {
    this.socket = socket;
    this.connecting = false;
    if (this.destroyed) {
      socket.terminate();
      return;
    }
    socket.setNoDelay(this.noDelay);
    if (this.readingPaused) socket.pause();
    this.emit('connect');
    this.drained();
  }

  received(chunk: Buffer): void {
    if (this.deliver) this.deliver(chunk);
    else this.emit('data', chunk);
  }

  drained(): void {
    const socket = this.socket;
    if (!socket) return;
    while (this.queue.length > 0) {
      const head = this.queue[0]!;
      const written = socket.write(head);
      if (written < head.byteLength) {
        if (written > 0) {
          this.queue[0] = head.subarray(written);
          this.queuedBytes -= written;
        }
        return;
      }
      this.queue.shift();
      this.queuedBytes -= head.byteLength;
    }
    if (this.ending) socket.end();
    else this.emit('drain');
  }

  failed(error: Error): void {
    if (this.listenerCount('error') > 0) this.emit('error', error);
  }

  closed(error?: Error): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.destroyed = true;
    this.connecting = false;
    if (error) this.failed(error);
    this.emit('close');
  }

  // ------------------------------------------------------------------ ByteChannel

  get writableLength(): number {
    return this.queuedBytes + this.corkedBytes;
  }

  write(bytes: Uint8Array): boolean {
    if (this.destroyed || this.ending) return false;
    if (this.corks > 0) {
      this.corked.push(bytes);
      this.corkedBytes += bytes.byteLength;
      return true;
    }
    return this.send(bytes);
  }

  cork(): void {
    this.corks += 1;
  }

  uncork(): void {
    if (this.corks === 0 || --this.corks > 0 || this.corked.length === 0) return;
    const bytes = this.corked.length === 1 ? this.corked[0]! : Buffer.concat(this.corked, this.corkedBytes);
    this.corked.length = 0;
    this.corkedBytes = 0;
    this.send(bytes);
  }

  /** Sends what nothing queues ahead of; keeps what the kernel does not take. */
  private send(bytes: Uint8Array): boolean {
    const socket = this.socket;
    if (socket && this.queue.length === 0) {
      const written = socket.write(bytes);
      if (written >= bytes.byteLength) return true;
      bytes = bytes.subarray(Math.max(written, 0));
    }
    this.queue.push(bytes);
    this.queuedBytes += bytes.byteLength;
    return false;
  }

  /** Ends the connection once everything written has left. */
  end(): void {
    if (this.destroyed || this.ending) return;
    this.uncorkAll();
    this.ending = true;
    if (this.socket && this.queue.length === 0) this.socket.end();
  }

  destroySoon(): void {
    this.end();
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    const socket = this.socket;
    if (socket) socket.terminate();
    // Bun calls close for a socket it opened; one still connecting closes here.
    else process.nextTick(() => this.closed());
  }

  pause(): this {
    this.readingPaused = true;
    this.socket?.pause();
    return this;
  }

  resume(): this {
    this.readingPaused = false;
    this.socket?.resume();
    return this;
  }

  setNoDelay(noDelay = true): this {
    this.noDelay = noDelay;
    this.socket?.setNoDelay(noDelay);
    return this;
  }

  private uncorkAll(): void {
    if (this.corks === 0) return;
    this.corks = 1;
    this.uncork();
  }
}

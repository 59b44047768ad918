/**
 * Both ends of a multiplexed link after the handshake: envelopes in, dispatched to the
 * sessions' channels; envelopes out, batched. Everything the sessions write while the event
 * loop handles one round of ready sockets leaves in a single write, flushed by setImmediate
 * (after that round, not after each socket as nextTick would) — that batching is the point of
 * the link. Consecutive writes of one session share one envelope header.
 */
import type { ByteChannel } from './byte-channel';
import { DEFAULT_MAX_MESSAGE_BYTES, MessageFramer } from '../protocol/framer';
import { ENVELOPE_HEADER_BYTES, MAX_COALESCED_PAYLOAD, MuxKind } from './mux-protocol';
import { type ChannelLink, MuxChannel } from './mux-channel';

/** Batches up to this size are copied into one buffer; larger ones go out as a writev. */
const COPY_BATCH_LIMIT = 64 * 1024;

export class MuxConnection implements ChannelLink {
  private readonly channels = new Map<number, MuxChannel>();
  private readonly framer = new MessageFramer({ maxMessageBytes: DEFAULT_MAX_MESSAGE_BYTES + ENVELOPE_HEADER_BYTES });
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private flushQueued = false;
  /** The data envelope being filled, while the same session keeps writing. */
  private openHeader: Buffer | undefined;
  private openSession = -1;
  private openPayload = 0;
  private nextId = 1;
  private ending = false;
  private closeListeners: (() => void)[] = [];
  /** A new session the peer opened (the pooler's side). */
  onOpen: ((channel: MuxChannel) => void) | undefined;
  /** The number of sessions changed (the gateway's side closes idle links). */
  onSessionCount: ((count: number) => void) | undefined;

  constructor(private readonly socket: ByteChannel, leftover?: Buffer) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('drain', () => {
      for (const channel of this.channels.values()) channel.linkDrained();
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.closed());
    if (leftover && leftover.length > 0) this.receive(leftover);
  }

  get sessionCount(): number {
    return this.channels.size;
  }

  /** Closed, or closing: no new session may start on it. */
  get isClosed(): boolean {
    return this.ending || this.socket.destroyed;
  }

  get writableLength(): number {
    return this.socket.writableLength + this.pendingBytes;
  }

  onClosed(listener: () => void): void {
    if (this.socket.destroyed) listener();
    else this.closeListeners.push(listener);
  }

  /** Opens a session (the gateway's side). */
  open(): MuxChannel {
    let id = this.nextId;
    while (this.channels.has(id)) id = (id % 0xffffffff) + 1;
    this.nextId = (id % 0xffffffff) + 1;
    const channel = new MuxChannel(id, this);
    this.channels.set(id, channel);
    this.control(MuxKind.open, id);
    this.onSessionCount?.(this.channels.size);
    return channel;
  }

  send(id: number, bytes: Uint8Array): void {
    if (this.socket.destroyed || bytes.length === 0) return;
    if (this.openHeader && this.openSession === id && this.openPayload + bytes.length <= MAX_COALESCED_PAYLOAD) {
      this.openPayload += bytes.length;
      this.openHeader.writeInt32BE(8 + this.openPayload, 1);
    } else {
      const header = Buffer.allocUnsafe(ENVELOPE_HEADER_BYTES);
      header[0] = MuxKind.data;
      header.writeInt32BE(8 + bytes.length, 1);
      header.writeUInt32BE(id, 5);
      this.queue(header);
      this.openHeader = header;
      this.openSession = id;
      this.openPayload = bytes.length;
    }
    this.queue(bytes);
  }

  control(kind: number, id: number): void {
    if (this.socket.destroyed) return;
    const header = Buffer.allocUnsafe(ENVELOPE_HEADER_BYTES);
    header[0] = kind;
    header.writeInt32BE(8, 1);
    header.writeUInt32BE(id, 5);
    this.openHeader = undefined;
    this.queue(header);
  }

  forget(id: number): void {
    if (this.channels.delete(id)) this.onSessionCount?.(this.channels.size);
  }

  close(): void {
    this.ending = true;
    this.flush();
    this.socket.end();
  }

  private queue(bytes: Uint8Array): void {
    this.pending.push(bytes);
    this.pendingBytes += bytes.length;
    if (this.flushQueued) return;
    this.flushQueued = true;
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.flushQueued = false;
    this.openHeader = undefined;
    const batch = this.pending;
    if (batch.length === 0) return;
    const bytes = this.pendingBytes;
    this.pending = [];
    this.pendingBytes = 0;
    if (this.socket.destroyed) return;
    if (batch.length === 1) {
      this.socket.write(batch[0]!);
    } else if (bytes <= COPY_BATCH_LIMIT) {
      this.socket.write(Buffer.concat(batch, bytes));
    } else {
      this.socket.cork();
      for (const part of batch) this.socket.write(part);
      this.socket.uncork();
    }
  }

  private receive(chunk: Buffer): void {
    try {
      this.framer.push(chunk, (kind, buffer, _frameStart, bodyStart, end, stable) => {
        if (end - bodyStart < 4) throw new Error('envelope without a session id');
        const id = buffer.readUInt32BE(bodyStart);
        switch (kind) {
          case MuxKind.data: {
            const payload = buffer.subarray(bodyStart + 4, end);
            // A payload inside the framer's own buffer is overwritten by the next read: copy it.
            this.channels.get(id)?.deliver(stable ? payload : Buffer.from(payload));
            return;
          }
          case MuxKind.open:
            return this.accept(id);
          case MuxKind.end:
            return this.channels.get(id)?.peerClosed();
          case MuxKind.pause:
            return this.channels.get(id)?.peerFlowControl(true);
          case MuxKind.resume:
            return this.channels.get(id)?.peerFlowControl(false);
          default:
            throw new Error(`unknown envelope kind ${kind}`);
        }
      });
    } catch {
      // The peer is trusted; a malformed envelope means the link is unusable, not one session.
      this.socket.destroy();
    }
  }

  private accept(id: number): void {
    if (!this.onOpen || this.channels.has(id)) {
      this.control(MuxKind.end, id);
      return;
    }
    const channel = new MuxChannel(id, this);
    this.channels.set(id, channel);
    this.onSessionCount?.(this.channels.size);
    this.onOpen(channel);
  }

  private closed(): void {
    this.pending = [];
    this.pendingBytes = 0;
    for (const channel of [...this.channels.values()]) channel.peerClosed();
    this.channels.clear();
    const listeners = this.closeListeners;
    this.closeListeners = [];
    for (const listener of listeners) listener();
  }
}

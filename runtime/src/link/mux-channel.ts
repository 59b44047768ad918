/**
 * One session on a multiplexed link, shaped like the socket it replaces (ByteChannel): the
 * session layer on either side runs over it unchanged. Writes become envelopes on the link;
 * the link delivers the peer's bytes here.
 *
 * Pausing is local first: while paused, arriving bytes are held, and only when more than
 * HOLD_LIMIT_BYTES pile up is the peer asked to stop sending — a session that waits for a
 * server connection (the common, short pause) costs the link nothing.
 */
import { EventEmitter } from 'node:events';
import type { ByteChannel } from './byte-channel';
import { MuxKind } from './mux-protocol';

/** What a channel needs from its link. */
export interface ChannelLink {
  send(id: number, bytes: Uint8Array): void;
  control(kind: number, id: number): void;
  forget(id: number): void;
  readonly writableLength: number;
}

const HOLD_LIMIT_BYTES = 1024 * 1024;

export class MuxChannel extends EventEmitter implements ByteChannel {
  destroyed = false;
  readonly batchesWrites = true;
  private paused = false;
  private readonly held: Buffer[] = [];
  private heldBytes = 0;
  private flushQueued = false;
  /** We asked the peer to stop sending. */
  private askedPeerToPause = false;
  /** The peer asked us to stop sending: report congestion until it resumes. */
  private peerPaused = false;

  constructor(readonly id: number, private readonly link: ChannelLink) {
    super();
  }

  write(bytes: Uint8Array): boolean {
    if (!this.destroyed) this.link.send(this.id, bytes);
    return !this.peerPaused;
  }

  // Batching happens on the link: there is nothing to cork per session.
  cork(): void {}
  uncork(): void {}
  setNoDelay(): this {
    return this;
  }

  get writableLength(): number {
    return this.peerPaused ? Number.MAX_SAFE_INTEGER : this.link.writableLength;
  }

  end(): void {
    this.close(true);
  }

  destroySoon(): void {
    this.close(true);
  }

  destroy(): void {
    this.close(true);
  }

  pause(): this {
    this.paused = true;
    return this;
  }

  resume(): this {
    if (!this.paused) return this;
    this.paused = false;
    if (this.askedPeerToPause) {
      this.askedPeerToPause = false;
      this.link.control(MuxKind.resume, this.id);
    }
    this.scheduleFlush();
    return this;
  }

  /** The peer's bytes for this session (the buffer is the channel's to keep). */
  deliver(bytes: Buffer): void {
    if (this.destroyed) return;
    if (!this.paused && this.held.length === 0) {
      this.emit('data', bytes);
      return;
    }
    this.held.push(bytes);
    this.heldBytes += bytes.length;
    if (this.paused && !this.askedPeerToPause && this.heldBytes > HOLD_LIMIT_BYTES) {
      this.askedPeerToPause = true;
      this.link.control(MuxKind.pause, this.id);
    }
  }

  /** The peer asked us to stop (or restart) sending this session's data. */
  peerFlowControl(pause: boolean): void {
    this.peerPaused = pause;
    if (!pause) this.emit('drain');
  }

  /** The link is ready for more (its socket drained). */
  linkDrained(): void {
    if (!this.peerPaused && this.listenerCount('drain') > 0) this.emit('drain');
  }

  /** The peer ended the session, or the link is gone. */
  peerClosed(): void {
    this.close(false);
  }

  /** Held bytes are handed out on a later tick, as a socket does after resume(). */
  private scheduleFlush(): void {
    if (this.flushQueued || this.held.length === 0) return;
    this.flushQueued = true;
    process.nextTick(() => {
      this.flushQueued = false;
      while (!this.paused && !this.destroyed && this.held.length > 0) {
        const bytes = this.held.shift()!;
        this.heldBytes -= bytes.length;
        this.emit('data', bytes);
      }
    });
  }

  private close(tellPeer: boolean): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.held.length = 0;
    this.heldBytes = 0;
    if (tellPeer) this.link.control(MuxKind.end, this.id);
    this.link.forget(this.id);
    process.nextTick(() => this.emit('close'));
  }
}

/**
 * Writes to a socket, coalesced per event-loop turn, flushed on the next tick. Frames that
 * sit next to each other in memory — the RowDescription, DataRow, CommandComplete and
 * ReadyForQuery of one answer, forwarded from one read — are joined into one view and leave
 * in a single write; only when a turn's bytes are not contiguous is the socket corked, so
 * they leave in one writev. Buffers are handed to the socket as they are (no copies): callers
 * pass only bytes nobody will reuse.
 */
import type { ByteChannel } from '../link/byte-channel';

/** Above this many queued bytes, the producer on the other side should pause. */
export const HIGH_WATER_BYTES = 1024 * 1024;

/** Who reads what this output writes: a client, or Postgres (or a pooler) on a server connection. */
export type OutputPeer = 'client' | 'server';

/**
 * The flush, under a name per peer: a CPU profile then tells the writes to clients from the
 * writes to servers (bench/cpu-budget.ts), which would otherwise be one function.
 */
const FLUSHES: Record<OutputPeer, (this: SocketOutput) => void> = {
  client: function flushToClient(this: SocketOutput) {
    this.flushPending();
  },
  server: function flushToServer(this: SocketOutput) {
    this.flushPending();
  },
};

export class SocketOutput {
  /** The bytes of this turn not yet handed to the socket (one view, possibly of several frames). */
  private pending: Uint8Array | undefined;
  private corked = false;
  private readonly flush: () => void;

  constructor(
    private readonly socket: ByteChannel,
    peer: OutputPeer,
  ) {
    this.flush = FLUSHES[peer].bind(this);
  }

  /** Hands this turn's bytes to the socket (see flush). */
  flushPending(): void {
    const pending = this.pending;
    this.pending = undefined;
    if (pending && !this.socket.destroyed) this.socket.write(pending);
    if (this.corked) {
      this.corked = false;
      this.socket.uncork();
    }
  }

  write(bytes: Uint8Array): void {
    if (this.socket.destroyed) return;
    if (this.socket.batchesWrites) {
      this.socket.write(bytes);
      return;
    }
    const pending = this.pending;
    if (pending === undefined) {
      this.pending = bytes;
      process.nextTick(this.flush);
      return;
    }
    if (pending.buffer === bytes.buffer && pending.byteOffset + pending.byteLength === bytes.byteOffset) {
      this.pending = Buffer.from(pending.buffer, pending.byteOffset, pending.byteLength + bytes.byteLength);
      return;
    }
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
    }
    this.socket.write(pending);
    this.pending = bytes;
  }

  /** Ends the socket after what was written. */
  end(): void {
    this.flush();
    this.socket.end();
  }

  /**
   * Calls `callback` once the peer has caught up (what is queued was taken by the socket);
   * meant for after `congested` said true.
   */
  onDrain(callback: () => void): void {
    this.flush();
    if (this.socket.destroyed) return;
    if (this.congested) this.socket.once('drain', callback);
    else process.nextTick(callback);
  }

  /** True when the peer reads slower than we write: pause whoever feeds us. */
  get congested(): boolean {
    return this.socket.writableLength + (this.pending?.byteLength ?? 0) > HIGH_WATER_BYTES;
  }
}

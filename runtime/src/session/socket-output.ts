/**
 * Writes to a socket, coalesced per event-loop turn, flushed on the next tick. Frames that
 * sit next to each other in memory — the RowDescription, DataRow, CommandComplete and
 * ReadyForQuery of one answer, forwarded from one read — are joined into one view and leave
 * in a single write; only when a turn's bytes are not contiguous is the socket corked, so
 * they leave in one writev. Buffers are handed to the socket as they are (no copies): callers
 * pass only bytes nobody will reuse. Forwarded frames come as ranges of their read
 * (writeRange): the view is made once per turn, not once per frame (on Bun a view costs an
 * object and reading a view's `buffer` more).
 */
import type { ByteChannel } from '../link/byte-channel';
import { wholeOrPart } from '../util/bytes';

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
  /** Or, for ranges of one buffer that follow each other (writeRange), that buffer and the range so far. */
  private rangeOf: Uint8Array | undefined;
  private rangeStart = 0;
  private rangeEnd = 0;
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
    this.viewRange();
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
    this.viewRange();
    const pending = this.pending;
    if (pending === undefined) {
      this.pending = bytes;
      process.nextTick(this.flush);
      return;
    }
    // Offsets first: on Bun, reading a view's `buffer` costs a runtime call, most writes are not contiguous.
    if (pending.byteOffset + pending.byteLength === bytes.byteOffset && pending.buffer === bytes.buffer) {
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

  /**
   * Writes `buffer`'s bytes from `start` to `end`, which nobody will reuse; a range that goes
   * on from the last one written this turn only moves its end.
   */
  writeRange(buffer: Uint8Array, start: number, end: number): void {
    if (this.rangeOf === buffer && this.rangeEnd === start) {
      this.rangeEnd = end;
      return;
    }
    if (this.socket.destroyed) return;
    if (this.socket.batchesWrites || this.pending !== undefined || this.rangeOf !== undefined) {
      this.write(wholeOrPart(buffer, start, end));
      return;
    }
    this.rangeOf = buffer;
    this.rangeStart = start;
    this.rangeEnd = end;
    process.nextTick(this.flush);
  }

  /** The pending range, as the pending view. */
  private viewRange(): void {
    const buffer = this.rangeOf;
    if (buffer === undefined) return;
    this.rangeOf = undefined;
    this.pending = wholeOrPart(buffer, this.rangeStart, this.rangeEnd);
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
    return this.socket.writableLength + (this.pending?.byteLength ?? 0) + (this.rangeOf ? this.rangeEnd - this.rangeStart : 0) > HIGH_WATER_BYTES;
  }
}

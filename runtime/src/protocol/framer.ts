/**
 * The push parser: bytes in, complete frames out, over one reusable buffer with offsets
 * (pg-protocol's shape); a frame larger than 64 KiB that arrives in pieces is kept as the pieces
 * and joined once, when whole. It only finds frame boundaries; decoding a body is a separate, optional
 * step, so a proxy can forward frames it does not need to understand without touching them.
 *
 * A frame is handed out as (code, buffer, frameStart, bodyStart, end, stable); unless stable,
 * the buffer is only valid during the callback. Untyped frames (the startup phase: StartupMessage, SSLRequest,
 * GSSENCRequest, CancelRequest) have code 0.
 */
import { ProtocolError } from './protocol-error';

/**
 * `stable` is true when `buffer` is the chunk given to push(), which the framer never
 * touches again: its bytes may be forwarded without copying. Otherwise `buffer` is the
 * framer's own and is overwritten by the next push.
 */
export type FrameHandler = (code: number, buffer: Buffer, frameStart: number, bodyStart: number, end: number, stable: boolean) => void;

/** Postgres accepts messages up to 1 GB; a gateway may choose less. */
export const DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024 * 1024;
/** Before authentication nobody needs more than Postgres' own startup packet limit. */
export const MAX_STARTUP_MESSAGE_BYTES = 10_000;
/** A pending buffer larger than this is let go once it is empty, not kept for the next message. */
const KEEP_BUFFER_BYTES = 64 * 1024;
/**
 * A frame larger than this is gathered as the chunks it arrives in and joined once, when whole:
 * no buffer that grows (and is copied, and left behind for the collector) read by read. A
 * runtime whose collector returns large buffers late (Bun's) would otherwise hold several
 * times the bytes a trickling message has sent.
 */
const GATHER_FROM_BYTES = KEEP_BUFFER_BYTES;

export class MessageFramer {
  private pending: Buffer = Buffer.alloc(0);
  private pendingLength = 0;
  /** The chunks of a large frame still arriving (GATHER_FROM_BYTES), kept as they came. */
  private parts: Buffer[] = [];
  private partsLength = 0;
  /** The bytes the gathered frame takes in all, its header included. */
  private partsNeeded = 0;
  private untyped: boolean;

  /**
   * `mayGrow(extra)`: whether the buffer may take `extra` bytes more than the bytes it must
   * hold right now (growing ahead saves copies); when not, it grows to exactly what it holds.
   * A memory budget answers it.
   */
  constructor(options: { startupPhase?: boolean; maxMessageBytes?: number; mayGrow?: (extra: number) => boolean } = {}) {
    this.untyped = options.startupPhase ?? false;
    this.maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
    this.mayGrow = options.mayGrow;
  }

  private readonly mayGrow: ((extra: number) => boolean) | undefined;

  private maxMessageBytes: number;

  /** Raises (or lowers) the size limit, e.g. once the client has authenticated. */
  setMaxMessageBytes(limit: number): void {
    this.maxMessageBytes = limit;
  }

  /** After the startup message the client speaks typed messages; after SSLRequest it may send another untyped one. */
  setStartupPhase(untyped: boolean): void {
    this.untyped = untyped;
  }

  get inStartupPhase(): boolean {
    return this.untyped;
  }

  /** Bytes received but not yet part of a complete frame. */
  get buffered(): number {
    return this.pendingLength + this.partsLength;
  }

  /** Memory the framer holds for them (its reusable buffer and a gathered frame's chunks), what a memory budget counts. */
  get retained(): number {
    return this.pending.length + this.partsLength;
  }

  /**
   * Feeds `chunk` and calls `onFrame` for every complete frame, in order. The handler may
   * switch the startup phase; the next frame is read in the new phase. Throws ProtocolError on
   * an impossible or oversized length; nothing more should be fed after that.
   */
  push(chunk: Buffer, onFrame: FrameHandler): void {
    if (this.partsLength > 0) {
      // A large frame is arriving: keep the chunk until the frame is whole, then go on with
      // the joined bytes as if they had come in one chunk (the framer never touches them again).
      this.parts.push(chunk);
      this.partsLength += chunk.length;
      if (this.partsLength < this.partsNeeded) return;
      chunk = Buffer.concat(this.parts, this.partsLength);
      this.parts = [];
      this.partsLength = 0;
    }
    let buffer: Buffer;
    let offset = 0;
    if (this.pendingLength === 0) {
      buffer = chunk;
    } else {
      buffer = this.append(chunk);
    }
    const end = this.pendingLength === 0 ? chunk.length : this.pendingLength;
    let needed = 0;
    for (;;) {
      const header = this.untyped ? 4 : 5;
      if (end - offset < header) break;
      const code = this.untyped ? 0 : buffer[offset]!;
      const length = buffer.readInt32BE(offset + header - 4);
      if (length < 4) throw new ProtocolError(`invalid message length ${length}`);
      if (length > this.maxMessageBytes) throw new ProtocolError(`message length ${length} exceeds the limit of ${this.maxMessageBytes} bytes`);
      const frameEnd = offset + header - 4 + length;
      if (frameEnd > end) {
        needed = frameEnd - offset;
        break;
      }
      onFrame(code, buffer, offset, offset + header, frameEnd, buffer === chunk);
      offset = frameEnd;
    }
    if (needed > GATHER_FROM_BYTES) this.gather(buffer, offset, end, needed, buffer === chunk);
    else this.keep(buffer, offset, end);
  }

  /**
   * Starts gathering the frame that begins at `offset` and needs `needed` bytes in all. A
   * stable chunk's tail is kept as it is when it is most of the chunk; the pending buffer's
   * bytes (overwritten by the next push) and a small tail of a large chunk are copied out.
   */
  private gather(buffer: Buffer, offset: number, end: number, needed: number, stable: boolean): void {
    const tail = buffer.subarray(offset, end);
    const keepAsIs = stable && tail.length * 2 >= buffer.length;
    this.parts = [keepAsIs ? tail : Buffer.from(tail)];
    this.partsLength = tail.length;
    this.partsNeeded = needed;
    this.pendingLength = 0;
    if (this.pending.length > KEEP_BUFFER_BYTES) this.pending = Buffer.alloc(0);
  }

  /**
   * Appends a chunk to the pending bytes, growing the reusable buffer when needed: doubling,
   * so a message that trickles in costs no copy per chunk, but never past the end of the frame
   * being received, so an announced length alone allocates nothing.
   */
  private append(chunk: Buffer): Buffer {
    const needed = this.pendingLength + chunk.length;
    if (needed > this.pending.length) {
      const ahead = Math.max(needed, Math.min(this.pending.length * 2, this.frameEnd(needed)), 4096);
      const grown = Buffer.allocUnsafe(ahead > needed && this.mayGrow && !this.mayGrow(ahead - needed) ? needed : ahead);
      this.pending.copy(grown, 0, 0, this.pendingLength);
      this.pending = grown;
    }
    chunk.copy(this.pending, this.pendingLength);
    this.pendingLength = needed;
    return this.pending;
  }

  /**
   * Where the frame starting the pending bytes ends, once its header is in (`upTo` until
   * then): how far growing the buffer is worth it.
   */
  private frameEnd(upTo: number): number {
    const header = this.untyped ? 4 : 5;
    if (this.pendingLength < header) return upTo;
    const length = this.pending.readInt32BE(header - 4);
    return length >= 4 && length <= this.maxMessageBytes ? Math.max(upTo, header - 4 + length) : upTo;
  }

  /** Keeps [offset, end) for the next push, at the start of the reusable buffer. */
  private keep(buffer: Buffer, offset: number, end: number): void {
    const left = end - offset;
    if (left === 0) {
      this.pendingLength = 0;
      // Do not hold on to a large buffer once a large message has gone through.
      if (this.pending.length > KEEP_BUFFER_BYTES) this.pending = Buffer.alloc(0);
      return;
    }
    if (buffer === this.pending) {
      this.pending.copy(this.pending, 0, offset, end);
      if (this.pending.length > KEEP_BUFFER_BYTES && left <= KEEP_BUFFER_BYTES / 2) this.pending = Buffer.from(this.pending.subarray(0, left));
    } else {
      if (this.pending.length < left) this.pending = Buffer.allocUnsafe(Math.max(left, 4096));
      buffer.copy(this.pending, 0, offset, end);
    }
    this.pendingLength = left;
  }
}

/**
 * Writes to a socket, coalesced per event-loop turn. Bytes that continue the previous write in
 * memory (the frames of one received chunk, forwarded one by one) are merged into one view, so
 * a whole response usually leaves in a single write; distinct buffers of one turn are corked
 * and leave in one writev on the next tick. Buffers are handed to the socket as they are (no
 * copies): callers pass only bytes nobody will reuse.
 */
import type { Socket } from 'node:net';

/** Above this many queued bytes, the producer on the other side should pause. */
export const HIGH_WATER_BYTES = 1024 * 1024;

export class SocketOutput {
  /** Bytes of this turn not yet handed to the socket (extended while writes are contiguous). */
  private held: Buffer | undefined;
  private corked = false;
  private flushScheduled = false;
  private readonly flush = (): void => {
    this.flushScheduled = false;
    const held = this.held;
    this.held = undefined;
    if (held && !this.socket.destroyed) this.socket.write(held);
    if (this.corked) {
      this.corked = false;
      this.socket.uncork();
    }
  };

  constructor(private readonly socket: Socket) {}

  write(bytes: Uint8Array): void {
    if (this.socket.destroyed) return;
    const held = this.held;
    if (held === undefined) {
      this.held = asBuffer(bytes);
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        process.nextTick(this.flush);
      }
      return;
    }
    if (held.buffer === bytes.buffer && held.byteOffset + held.byteLength === bytes.byteOffset) {
      this.held = Buffer.from(held.buffer, held.byteOffset, held.byteLength + bytes.byteLength);
      return;
    }
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
    }
    this.socket.write(held);
    this.held = asBuffer(bytes);
  }

  /** Sends what is held, then ends the socket (nothing written before is lost). */
  end(): void {
    this.flush();
    this.socket.end();
  }

  /** True when the peer reads slower than we write: pause whoever feeds us. */
  get congested(): boolean {
    return this.socket.writableLength + (this.held?.byteLength ?? 0) > HIGH_WATER_BYTES;
  }
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

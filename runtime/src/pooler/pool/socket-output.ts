/**
 * Writes to a socket, coalesced per event-loop turn: the socket is corked at the first write
 * of a turn and uncorked on the next tick, so the many small messages of one turn leave in
 * one writev. Buffers are handed to the socket as they are (no copies): callers pass only
 * bytes nobody will reuse.
 */
import type { ByteChannel } from '../../link/byte-channel';

/** Above this many queued bytes, the producer on the other side should pause. */
export const HIGH_WATER_BYTES = 1024 * 1024;

export class SocketOutput {
  private corked = false;

  constructor(private readonly socket: ByteChannel) {}

  write(bytes: Uint8Array): void {
    if (this.socket.destroyed) return;
    if (this.socket.batchesWrites) {
      this.socket.write(bytes);
      return;
    }
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      process.nextTick(() => {
        this.corked = false;
        this.socket.uncork();
      });
    }
    this.socket.write(bytes);
  }

  /** Ends the socket after what was written (ending flushes corked writes first). */
  end(): void {
    this.socket.end();
  }

  /** True when the peer reads slower than we write: pause whoever feeds us. */
  get congested(): boolean {
    return this.socket.writableLength > HIGH_WATER_BYTES;
  }
}

/**
 * What a client session or a server connection needs from its byte stream. A net.Socket is
 * one; a session carried over a multiplexed gateway–pooler link (MuxChannel) is the other.
 */
export interface ByteChannel {
  write(bytes: Uint8Array): boolean;
  cork(): void;
  uncork(): void;
  end(): void;
  destroy(): void;
  destroySoon(): void;
  pause(): unknown;
  resume(): unknown;
  setNoDelay(noDelay?: boolean): unknown;
  readonly destroyed: boolean;
  /** Writes are batched underneath (a multiplexed link): corking per session would only cost. */
  readonly batchesWrites?: boolean;
  /** Bytes accepted but not yet handed to the peer: the congestion signal. */
  readonly writableLength: number;
  on(event: 'data', listener: (chunk: Buffer) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'close' | 'drain' | 'connect', listener: () => void): unknown;
  once(event: 'close' | 'drain' | 'connect', listener: () => void): unknown;
  removeAllListeners(event?: string): unknown;
}

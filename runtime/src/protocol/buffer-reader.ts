/**
 * Reads the fields of one message body in place (no copies for integers; strings are decoded
 * once). A malformed body throws ProtocolError, which closes that one connection.
 */
import { ProtocolError } from './protocol-error';

export class BufferReader {
  private offset: number;

  constructor(private readonly buffer: Buffer, start = 0, private readonly end = buffer.length) {
    this.offset = start;
  }

  get remaining(): number {
    return this.end - this.offset;
  }

  byte(): number {
    this.need(1);
    return this.buffer[this.offset++]!;
  }

  int16(): number {
    this.need(2);
    const value = this.buffer.readInt16BE(this.offset);
    this.offset += 2;
    return value;
  }

  int32(): number {
    this.need(4);
    const value = this.buffer.readInt32BE(this.offset);
    this.offset += 4;
    return value;
  }

  uint32(): number {
    this.need(4);
    const value = this.buffer.readUInt32BE(this.offset);
    this.offset += 4;
    return value;
  }

  /** A NUL-terminated UTF-8 string. */
  cstring(): string {
    const nul = this.buffer.indexOf(0, this.offset);
    if (nul === -1 || nul >= this.end) throw new ProtocolError('string without terminator');
    const value = this.buffer.toString('utf8', this.offset, nul);
    this.offset = nul + 1;
    return value;
  }

  /** `length` bytes, as a view on the message (copy it to keep it past the next chunk). */
  bytes(length: number): Buffer {
    if (length < 0) throw new ProtocolError(`negative length ${length}`);
    this.need(length);
    const value = this.buffer.subarray(this.offset, this.offset + length);
    this.offset += length;
    return value;
  }

  /** The rest of the body. */
  rest(): Buffer {
    return this.bytes(this.remaining);
  }

  /** An int32 length followed by that many bytes; -1 is NULL. */
  nullableBytes(): Buffer | null {
    const length = this.int32();
    if (length === -1) return null;
    return this.bytes(length);
  }

  /** Throws when bytes are left over: a body longer than its fields is malformed too. */
  done(): void {
    if (this.offset !== this.end) throw new ProtocolError(`${this.end - this.offset} unexpected trailing byte(s)`);
  }

  private need(count: number): void {
    if (this.offset + count > this.end) throw new ProtocolError('message shorter than its fields');
  }
}

/**
 * Builds messages into one growable buffer that is reused from message to message (pg-protocol's
 * shape). `message(code)` starts a message, the add* methods append fields, and `take()`
 * returns every message written since the last take as one Buffer — ready for one socket write.
 */
export class BufferWriter {
  private buffer: Buffer;
  private offset = 0;
  private messageStart = -1;

  constructor(initialSize = 1024) {
    this.buffer = Buffer.allocUnsafe(initialSize);
  }

  /** Starts a typed message (code is one ASCII letter), or an untyped one (startup phase) for ''. */
  message(code: string): this {
    this.finish();
    if (code !== '') {
      this.ensure(1);
      this.buffer[this.offset++] = code.charCodeAt(0);
    }
    this.messageStart = this.offset;
    this.ensure(4);
    this.offset += 4;
    return this;
  }

  byte(value: number): this {
    this.ensure(1);
    this.buffer[this.offset++] = value;
    return this;
  }

  int16(value: number): this {
    this.ensure(2);
    this.buffer.writeInt16BE(value, this.offset);
    this.offset += 2;
    return this;
  }

  int32(value: number): this {
    this.ensure(4);
    this.buffer.writeInt32BE(value, this.offset);
    this.offset += 4;
    return this;
  }

  uint32(value: number): this {
    this.ensure(4);
    this.buffer.writeUInt32BE(value, this.offset);
    this.offset += 4;
    return this;
  }

  cstring(value: string): this {
    const length = Buffer.byteLength(value);
    this.ensure(length + 1);
    this.buffer.write(value, this.offset, 'utf8');
    this.offset += length;
    this.buffer[this.offset++] = 0;
    return this;
  }

  bytes(value: Uint8Array): this {
    this.ensure(value.length);
    this.buffer.set(value, this.offset);
    this.offset += value.length;
    return this;
  }

  /** An int32 length then the bytes; null is written as length -1. */
  nullableBytes(value: Uint8Array | null): this {
    if (value === null) return this.int32(-1);
    return this.int32(value.length).bytes(value);
  }

  /** Every message written since the last take, as a fresh Buffer (the writer is reused). */
  take(): Buffer {
    this.finish();
    const out = Buffer.from(this.buffer.subarray(0, this.offset));
    this.offset = 0;
    return out;
  }

  private finish(): void {
    if (this.messageStart >= 0) {
      this.buffer.writeInt32BE(this.offset - this.messageStart, this.messageStart);
      this.messageStart = -1;
    }
  }

  private ensure(extra: number): void {
    if (this.offset + extra <= this.buffer.length) return;
    let size = this.buffer.length * 2;
    while (size < this.offset + extra) size *= 2;
    const grown = Buffer.allocUnsafe(size);
    this.buffer.copy(grown, 0, 0, this.offset);
    this.buffer = grown;
  }
}

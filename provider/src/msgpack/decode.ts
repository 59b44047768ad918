/**
 * A msgpack decoder for cty values: every read is bounds-checked, so truncated or malformed
 * input raises MsgpackError naming the offset instead of reading past the buffer.
 */
import { MsgpackError, UNKNOWN, type Value, type ValueObject } from './value';

/** cty's extension types: 0 is an unknown value, 12 an unknown with refinements (still unknown to us). */
const EXT_UNKNOWN = 0;
const EXT_REFINED_UNKNOWN = 12;
const MAX_DEPTH = 64;

export function decodeMsgpack(bytes: Uint8Array): Value {
  const reader = new Reader(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  const value = reader.value(0);
  if (reader.offset !== reader.buffer.length) throw new MsgpackError(`msgpack: ${reader.buffer.length - reader.offset} unexpected bytes after the value at offset ${reader.offset}`);
  return value;
}

class Reader {
  offset = 0;
  constructor(readonly buffer: Buffer) {}

  private need(count: number): number {
    const at = this.offset;
    if (at + count > this.buffer.length) throw new MsgpackError(`msgpack: truncated input (needed ${count} bytes at offset ${at}, have ${this.buffer.length - at})`);
    this.offset += count;
    return at;
  }

  private u8(): number {
    return this.buffer.readUInt8(this.need(1));
  }

  value(depth: number): Value {
    if (depth > MAX_DEPTH) throw new MsgpackError(`msgpack: nested deeper than ${MAX_DEPTH} levels`);
    const at = this.offset;
    const tag = this.u8();
    if (tag <= 0x7f) return tag;
    if (tag >= 0xe0) return tag - 0x100;
    if ((tag & 0xf0) === 0x80) return this.map(tag & 0x0f, depth);
    if ((tag & 0xf0) === 0x90) return this.array(tag & 0x0f, depth);
    if ((tag & 0xe0) === 0xa0) return this.string(tag & 0x1f);
    const b = this.buffer;
    switch (tag) {
      case 0xc0: return null;
      case 0xc2: return false;
      case 0xc3: return true;
      case 0xc4: return this.string(this.u8());
      case 0xc5: return this.string(b.readUInt16BE(this.need(2)));
      case 0xc6: return this.string(b.readUInt32BE(this.need(4)));
      case 0xc7: return this.extension(this.u8());
      case 0xc8: return this.extension(b.readUInt16BE(this.need(2)));
      case 0xc9: return this.extension(b.readUInt32BE(this.need(4)));
      case 0xca: return b.readFloatBE(this.need(4));
      case 0xcb: return b.readDoubleBE(this.need(8));
      case 0xcc: return this.u8();
      case 0xcd: return b.readUInt16BE(this.need(2));
      case 0xce: return b.readUInt32BE(this.need(4));
      case 0xcf: return Number(b.readBigUInt64BE(this.need(8)));
      case 0xd0: return b.readInt8(this.need(1));
      case 0xd1: return b.readInt16BE(this.need(2));
      case 0xd2: return b.readInt32BE(this.need(4));
      case 0xd3: return Number(b.readBigInt64BE(this.need(8)));
      case 0xd4: return this.extension(1);
      case 0xd5: return this.extension(2);
      case 0xd6: return this.extension(4);
      case 0xd7: return this.extension(8);
      case 0xd8: return this.extension(16);
      case 0xd9: return this.string(this.u8());
      case 0xda: return this.string(b.readUInt16BE(this.need(2)));
      case 0xdb: return this.string(b.readUInt32BE(this.need(4)));
      case 0xdc: return this.array(b.readUInt16BE(this.need(2)), depth);
      case 0xdd: return this.array(b.readUInt32BE(this.need(4)), depth);
      case 0xde: return this.map(b.readUInt16BE(this.need(2)), depth);
      case 0xdf: return this.map(b.readUInt32BE(this.need(4)), depth);
      default: throw new MsgpackError(`msgpack: invalid type byte 0x${tag.toString(16)} at offset ${at}`);
    }
  }

  private string(length: number): string {
    const at = this.need(length);
    return this.buffer.toString('utf8', at, at + length);
  }

  private array(length: number, depth: number): Value[] {
    // Each element takes at least one byte: a huge declared length in a short buffer is malformed.
    if (length > this.buffer.length - this.offset) throw new MsgpackError(`msgpack: array of ${length} elements does not fit the input`);
    const items: Value[] = [];
    for (let i = 0; i < length; i++) items.push(this.value(depth + 1));
    return items;
  }

  private map(length: number, depth: number): ValueObject {
    if (length * 2 > this.buffer.length - this.offset) throw new MsgpackError(`msgpack: map of ${length} entries does not fit the input`);
    const object: ValueObject = Object.create(null) as ValueObject;
    for (let i = 0; i < length; i++) {
      const at = this.offset;
      const key = this.value(depth + 1);
      if (typeof key !== 'string') throw new MsgpackError(`msgpack: map key at offset ${at} is not a string`);
      object[key] = this.value(depth + 1);
    }
    return object;
  }

  private extension(length: number): Value {
    const at = this.offset - 1;
    const type = this.buffer.readInt8(this.need(1));
    this.need(length);
    if (type === EXT_UNKNOWN || type === EXT_REFINED_UNKNOWN) return UNKNOWN;
    throw new MsgpackError(`msgpack: unsupported extension type ${type} at offset ${at}`);
  }
}

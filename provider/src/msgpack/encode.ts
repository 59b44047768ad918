/** A msgpack encoder for cty values: the smallest encoding of each, unknown as extension 0. */
import { MsgpackError, type Value, isUnknown } from './value';

export function encodeMsgpack(value: Value): Buffer {
  const chunks: Buffer[] = [];
  write(value, chunks);
  return Buffer.concat(chunks);
}

function write(value: Value, out: Buffer[]): void {
  if (value === null) return void out.push(Buffer.from([0xc0]));
  if (isUnknown(value)) return void out.push(Buffer.from([0xd4, 0x00, 0x00]));
  if (typeof value === 'boolean') return void out.push(Buffer.from([value ? 0xc3 : 0xc2]));
  if (typeof value === 'number') return writeNumber(value, out);
  if (typeof value === 'string') return writeString(value, out);
  if (Array.isArray(value)) {
    out.push(header(value.length, 0x90, 0xdc, 0xdd));
    for (const item of value) write(item, out);
    return;
  }
  const entries = Object.entries(value);
  out.push(header(entries.length, 0x80, 0xde, 0xdf));
  for (const [key, item] of entries) {
    writeString(key, out);
    write(item, out);
  }
}

function header(length: number, fix: number, tag16: number, tag32: number): Buffer {
  if (length < 16) return Buffer.from([fix | length]);
  if (length < 0x10000) return Buffer.from([tag16, length >> 8, length & 0xff]);
  const buffer = Buffer.alloc(5);
  buffer[0] = tag32;
  buffer.writeUInt32BE(length, 1);
  return buffer;
}

function writeString(text: string, out: Buffer[]): void {
  const bytes = Buffer.from(text, 'utf8');
  const n = bytes.length;
  if (n < 32) out.push(Buffer.from([0xa0 | n]));
  else if (n < 0x100) out.push(Buffer.from([0xd9, n]));
  else if (n < 0x10000) out.push(Buffer.from([0xda, n >> 8, n & 0xff]));
  else {
    const head = Buffer.alloc(5);
    head[0] = 0xdb;
    head.writeUInt32BE(n, 1);
    out.push(head);
  }
  out.push(bytes);
}

function writeNumber(value: number, out: Buffer[]): void {
  if (!Number.isFinite(value)) throw new MsgpackError(`msgpack: ${value} is not a number Terraform can hold`);
  if (!Number.isSafeInteger(value)) {
    const buffer = Buffer.alloc(9);
    buffer[0] = 0xcb;
    buffer.writeDoubleBE(value, 1);
    return void out.push(buffer);
  }
  if (value >= 0 && value < 0x80) return void out.push(Buffer.from([value]));
  if (value < 0 && value >= -32) return void out.push(Buffer.from([value + 0x100]));
  const buffer = Buffer.alloc(9);
  buffer[0] = value >= 0 ? 0xcf : 0xd3;
  if (value >= 0) buffer.writeBigUInt64BE(BigInt(value), 1);
  else buffer.writeBigInt64BE(BigInt(value), 1);
  out.push(buffer);
}

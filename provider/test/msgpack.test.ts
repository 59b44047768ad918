import { describe, expect, it } from 'vitest';
import { decodeMsgpack } from '../src/msgpack/decode';
import { encodeMsgpack } from '../src/msgpack/encode';
import { MsgpackError, UNKNOWN, type Value } from '../src/msgpack/value';

const roundTrip = (value: Value) => decodeMsgpack(encodeMsgpack(value));

describe('msgpack codec', () => {
  it.each([
    ['null', null],
    ['booleans', [true, false]],
    ['integers of every width', [0, 1, 127, 128, 255, 256, 65535, 65536, 2 ** 32, Number.MAX_SAFE_INTEGER, -1, -32, -33, -128, -129, -32768, -32769, -(2 ** 31) - 1, Number.MIN_SAFE_INTEGER]],
    ['floats', [0.5, -1.25, 1e300, 2 ** 60]],
    ['strings of every length class', ['', 'a', 'x'.repeat(31), 'x'.repeat(32), 'y'.repeat(255), 'y'.repeat(256), 'z'.repeat(70_000), 'ünïcødé ✓']],
    ['arrays and maps across the fix/16 boundary', { small: Array.from({ length: 15 }, (_, i) => i), large: Array.from({ length: 16 }, (_, i) => `v${i}`), map: Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, i])) }],
    ['nested objects with nulls', { a: { b: [{ c: null, d: 'x' }] }, e: null }],
  ])('round-trips %s', (_name, value) => {
    expect(roundTrip(value as Value)).toEqual(value);
  });

  it('encodes unknown as extension 0 and decodes it back', () => {
    expect(encodeMsgpack(UNKNOWN)).toEqual(Buffer.from([0xd4, 0x00, 0x00]));
    expect(roundTrip({ id: UNKNOWN, name: 'x' })).toEqual({ id: UNKNOWN, name: 'x' });
  });

  it('decodes a refined unknown (extension 12 with a refinement payload) as unknown', () => {
    // ext8 of 3 bytes, type 12: a msgpack map {1: true} ("definitely not null").
    const refined = Buffer.from([0x81, 0xa1, 0x76, 0xc7, 0x03, 0x0c, 0x81, 0x01, 0xc3]);
    expect(decodeMsgpack(refined)).toEqual({ v: UNKNOWN });
    expect(decodeMsgpack(Buffer.from([0xd5, 0x0c, 0x81, 0x01]))).toBe(UNKNOWN);
  });

  it('decodes the integer and float encodings other encoders choose', () => {
    expect(decodeMsgpack(Buffer.from([0xcc, 0x05]))).toBe(5);
    expect(decodeMsgpack(Buffer.from([0xd0, 0xfb]))).toBe(-5);
    expect(decodeMsgpack(Buffer.from([0xca, 0x3f, 0xc0, 0x00, 0x00]))).toBe(1.5);
    expect(decodeMsgpack(Buffer.from([0xcf, 0, 0, 0, 0, 0, 0, 0x01, 0x00]))).toBe(256);
  });

  it.each([
    ['truncated string', Buffer.from([0xa5, 0x61, 0x62]), /truncated/],
    ['truncated map', Buffer.from([0x82, 0xa1, 0x61]), /does not fit|truncated/],
    ['the never-used type byte 0xc1', Buffer.from([0xc1]), /invalid type byte 0xc1/],
    ['an extension that is not cty unknown', Buffer.from([0xd4, 0x05, 0x00]), /unsupported extension type 5/],
    ['trailing bytes', Buffer.from([0xc0, 0xc0]), /unexpected bytes/],
    ['a huge declared array length', Buffer.from([0xdd, 0xff, 0xff, 0xff, 0xff]), /does not fit/],
    ['a map key that is not a string', Buffer.from([0x81, 0x01, 0x02]), /not a string/],
    ['empty input', Buffer.alloc(0), /truncated/],
  ])('rejects %s with a MsgpackError', (_name, bytes, message) => {
    expect(() => decodeMsgpack(bytes)).toThrow(MsgpackError);
    expect(() => decodeMsgpack(bytes)).toThrow(message);
  });

  it('refuses numbers Terraform cannot hold', () => {
    expect(() => encodeMsgpack(Number.NaN)).toThrow(MsgpackError);
  });
});

/**
 * Decodes a cty value from msgpack (@msgpack/msgpack with cty's extensions). Whatever the
 * input, the answer is a Value or a MsgpackError that says what is wrong, never another
 * exception: declared lengths are bounded by the bytes present (a huge length in a short
 * message is malformed, not an allocation), nesting is bounded, map keys must be strings,
 * and an extension cty does not define is refused.
 */
import { DecodeError, Decoder, ExtData } from '@msgpack/msgpack';
import { ctyExtensions } from './cty-extensions';
import { MsgpackError, type Value } from './value';

const MAX_DEPTH = 64;

export function decodeMsgpack(bytes: Uint8Array): Value {
  // Each array element takes at least one byte and each map entry two: a longer declared
  // length cannot be real. (Strings and extensions are checked against the bytes present.)
  const length = bytes.byteLength;
  const decoder = new Decoder({
    extensionCodec: ctyExtensions,
    maxArrayLength: length,
    maxMapLength: Math.floor(length / 2),
    mapKeyConverter: (key) => {
      if (typeof key !== 'string') throw new MsgpackError(`msgpack: a map key is a ${typeof key}, not a string`);
      return key;
    },
  });
  let decoded: unknown;
  try {
    decoded = decoder.decode(bytes);
  } catch (error) {
    throw asMsgpackError(error);
  }
  return checked(decoded, 0);
}

/** The library's errors, in the words the provider's diagnostics use. */
function asMsgpackError(error: unknown): MsgpackError {
  if (error instanceof MsgpackError) return error;
  const message = (error as Error).message;
  if (error instanceof RangeError && /insufficient data|outside the bounds/i.test(message)) return new MsgpackError('msgpack: truncated input');
  if (error instanceof RangeError && /extra .* byte/i.test(message)) return new MsgpackError(`msgpack: unexpected bytes after the value (${message})`);
  if (error instanceof DecodeError && /max length exceeded/i.test(message)) return new MsgpackError(`msgpack: a declared length does not fit the input (${message})`);
  if (error instanceof DecodeError && /unrecognized type byte/i.test(message)) return new MsgpackError(`msgpack: invalid type byte ${message.replace(/.*type byte:?\s*/i, '')}`);
  return new MsgpackError(`msgpack: ${message}`);
}

/**
 * The decoded value as a cty Value: nesting bounded, binary read as UTF-8 text (cty has no
 * bytes type; strings arrive that way from some encoders), extensions other than cty's refused.
 */
function checked(value: unknown, depth: number): Value {
  if (depth > MAX_DEPTH) throw new MsgpackError(`msgpack: nested deeper than ${MAX_DEPTH} levels`);
  if (value instanceof ExtData) throw new MsgpackError(`msgpack: unsupported extension type ${value.type}`);
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('utf8');
  if (typeof value === 'bigint') return Number(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = checked(value[i], depth + 1);
    return value as Value[];
  }
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const object = value as Record<string, unknown>;
    for (const key of Object.keys(object)) object[key] = checked(object[key], depth + 1);
    return object as Value;
  }
  return value as Value;
}

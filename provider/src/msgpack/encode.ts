/** Encodes a cty value as msgpack (@msgpack/msgpack with cty's extensions: unknown is extension 0). */
import { encode } from '@msgpack/msgpack';
import { ctyExtensions } from './cty-extensions';
import { MsgpackError, type Value, isUnknown } from './value';

export function encodeMsgpack(value: Value): Buffer {
  refuseNonFinite(value);
  const bytes = encode(value, { extensionCodec: ctyExtensions });
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** NaN and the infinities have no cty number: refused here rather than sent as floats. */
function refuseNonFinite(value: Value): void {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new MsgpackError(`msgpack: ${value} is not a number Terraform can hold`);
    return;
  }
  if (value === null || typeof value !== 'object' || isUnknown(value)) return;
  for (const item of Array.isArray(value) ? value : Object.values(value)) refuseNonFinite(item);
}

/**
 * cty's msgpack extension types, for @msgpack/msgpack: 0 is a value not known until apply;
 * 12 is an unknown with refinements (a payload saying what is known about it — not null, a
 * prefix...), which the provider treats as plainly unknown. Unknown is written as extension 0
 * with a single zero byte, as cty writes it.
 */
import { ExtensionCodec } from '@msgpack/msgpack';
import { UNKNOWN, isUnknown } from './value';

export const EXT_UNKNOWN = 0;
export const EXT_REFINED_UNKNOWN = 12;

export const ctyExtensions = new ExtensionCodec();
ctyExtensions.register({ type: EXT_UNKNOWN, encode: (input: unknown) => (isUnknown(input) ? new Uint8Array([0]) : null), decode: () => UNKNOWN });
ctyExtensions.register({ type: EXT_REFINED_UNKNOWN, encode: () => null, decode: () => UNKNOWN });

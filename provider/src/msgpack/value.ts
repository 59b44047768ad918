/**
 * Values as Terraform sends them in a DynamicValue (cty over msgpack): null, booleans,
 * numbers, strings, lists/sets/tuples as arrays, maps/objects as plain objects, and values
 * not known until apply.
 */

/** A value Terraform does not know yet (msgpack extension 0; refined unknowns, extension 12, too). */
export class Unknown {
  static readonly instance = new Unknown();
  private constructor() {}
  toJSON(): string {
    return '(known after apply)';
  }
}

export const UNKNOWN = Unknown.instance;

export type Value = null | boolean | number | string | Unknown | Value[] | ValueObject;
export interface ValueObject {
  [key: string]: Value;
}

export function isUnknown(value: unknown): value is Unknown {
  return value === UNKNOWN;
}

/** True when the value and everything inside it is known. */
export function isWhollyKnown(value: Value): boolean {
  if (isUnknown(value)) return false;
  if (Array.isArray(value)) return value.every(isWhollyKnown);
  if (value !== null && typeof value === 'object') return Object.values(value).every(isWhollyKnown);
  return true;
}

/** Malformed input: the caller turns it into a diagnostic, never a crash. */
export class MsgpackError extends Error {
  override readonly name = 'MsgpackError';
}

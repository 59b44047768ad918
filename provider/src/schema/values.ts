/**
 * DynamicValue <-> objects of a schema. Terraform sends and expects objects that carry exactly
 * the schema's attributes (null ones as nil); numbers may arrive as integers, floats or
 * strings. Anything else is a clear error, never a crash.
 */
import { decodeMsgpack } from '../msgpack/decode';
import { encodeMsgpack } from '../msgpack/encode';
import { MsgpackError, type Value, type ValueObject, isUnknown } from '../msgpack/value';
import type { DynamicValue } from '../protocol/messages';
import type { AttributeType, BlockSchema } from './types';

/** An object of a schema: every attribute present, null when not set. */
export type State = ValueObject;

export function decodeDynamicValue(schema: BlockSchema, value: DynamicValue | undefined): State | null {
  let raw: Value;
  if (value?.msgpack && value.msgpack.length > 0) raw = decodeMsgpack(value.msgpack);
  else if (value?.json && value.json.length > 0) raw = parseJson(Buffer.from(value.json).toString('utf8'));
  else return null;
  return conformObject(schema, raw);
}

export function encodeDynamicValue(schema: BlockSchema, state: State | null): DynamicValue {
  return { msgpack: encodeMsgpack(state === null ? null : conformObject(schema, state)) };
}

/** State stored by an older run, as JSON (UpgradeResourceState): attributes it lacks become null. */
export function stateFromJson(schema: BlockSchema, json: string): State | null {
  return conformObject(schema, parseJson(json));
}

function parseJson(text: string): Value {
  try {
    return JSON.parse(text) as Value;
  } catch (error) {
    throw new MsgpackError(`state is not valid JSON: ${(error as Error).message}`);
  }
}

function conformObject(schema: BlockSchema, raw: Value): State | null {
  if (raw === null) return null;
  if (typeof raw !== 'object' || Array.isArray(raw) || isUnknown(raw)) throw new MsgpackError(`${schema.typeName}: expected an object`);
  const out: State = {};
  for (const attribute of schema.attributes) out[attribute.name] = conform(attribute.type, raw[attribute.name] ?? null, attribute.name);
  return out;
}

function conform(type: AttributeType, value: Value, path: string): Value {
  if (value === null || isUnknown(value)) return value;
  if (type === 'number') {
    const number = typeof value === 'string' ? Number(value) : value;
    if (typeof number !== 'number' || Number.isNaN(number)) throw new MsgpackError(`${path}: expected a number`);
    return number;
  }
  if (type === 'string') {
    if (typeof value !== 'string') throw new MsgpackError(`${path}: expected a string`);
    return value;
  }
  if (type === 'bool') {
    if (typeof value !== 'boolean') throw new MsgpackError(`${path}: expected a bool`);
    return value;
  }
  if ('list' in type) {
    if (!Array.isArray(value)) throw new MsgpackError(`${path}: expected a list`);
    return value.map((item, index) => conform(type.list, item, `${path}[${index}]`));
  }
  if (typeof value !== 'object' || Array.isArray(value)) throw new MsgpackError(`${path}: expected an object`);
  if ('map' in type) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, conform(type.map, item, `${path}.${key}`)]));
  return Object.fromEntries(Object.entries(type.object).map(([key, inner]) => [key, conform(inner, value[key] ?? null, `${path}.${key}`)]));
}

/** Structural equality of two values (unknown equals only unknown). */
export function sameValue(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object' || isUnknown(a) || isUnknown(b)) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((item, index) => sameValue(item, b[index] ?? null));
  }
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].every((key) => sameValue(a[key] ?? null, b[key] ?? null));
}

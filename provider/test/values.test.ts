import { describe, expect, it } from 'vitest';
import { decodeMsgpack } from '../src/msgpack/decode';
import { encodeMsgpack } from '../src/msgpack/encode';
import { UNKNOWN } from '../src/msgpack/value';
import { planChange } from '../src/resources/plan';
import type { BlockSchema } from '../src/schema/types';
import { decodeDynamicValue, encodeDynamicValue, stateFromJson } from '../src/schema/values';

const schema: BlockSchema = {
  typeName: 'polygres_test',
  description: 'test',
  version: 0,
  example: '',
  attributes: [
    { name: 'id', type: 'string', computed: true, description: '' },
    { name: 'name', type: 'string', required: true, requiresReplace: true, description: '' },
    { name: 'port', type: 'number', optional: true, computed: true, default: 15432, description: '' },
    { name: 'items', type: { list: { object: { n: 'number', s: 'string' } } }, optional: true, description: '' },
  ],
};

describe('DynamicValue objects', () => {
  it('carry exactly the schema attributes, null ones as nil', () => {
    const encoded = encodeDynamicValue(schema, { name: 'a', extra: 'dropped' });
    expect(decodeMsgpack(encoded.msgpack!)).toEqual({ id: null, name: 'a', port: null, items: null });
  });

  it('accept numbers as integers, floats or strings, inside nested objects too', () => {
    const bytes = encodeMsgpack({ id: null, name: 'a', port: '24100', items: [{ n: '1.5', s: 'x' }, { n: 7 }] });
    expect(decodeDynamicValue(schema, { msgpack: bytes })).toEqual({ id: null, name: 'a', port: 24100, items: [{ n: 1.5, s: 'x' }, { n: 7, s: null }] });
  });

  it('read prior state from JSON (UpgradeResourceState), filling attributes it lacks', () => {
    expect(stateFromJson(schema, '{"id":"x","name":"a","port":15432,"removed":1}')).toEqual({ id: 'x', name: 'a', port: 15432, items: null });
  });

  it('report a value of the wrong type with its path', () => {
    expect(() => decodeDynamicValue(schema, { msgpack: encodeMsgpack({ name: 5 }) })).toThrow('name: expected a string');
    expect(() => decodeDynamicValue(schema, { msgpack: encodeMsgpack({ items: [{ n: 'many' }] }) })).toThrow('items[0].n: expected a number');
  });
});

describe('planChange', () => {
  const config = { id: null, name: 'a', port: null, items: null };

  it('plans computed attributes as unknown on create, and defaults where the configuration is silent', () => {
    const { planned, requiresReplace } = planChange(schema, null, config, config);
    expect(planned).toEqual({ id: UNKNOWN, name: 'a', port: 15432, items: null });
    expect(requiresReplace).toEqual([]);
  });

  it('keeps prior computed values on update and plans drifted defaults back', () => {
    const prior = { id: 'x', name: 'a', port: 1, items: null };
    const proposed = { ...config, id: 'x', port: 1 };
    expect(planChange(schema, prior, proposed, config).planned).toEqual({ id: 'x', name: 'a', port: 15432, items: null });
  });

  it('asks for replacement when an attribute that cannot change in place changes', () => {
    const prior = { id: 'x', name: 'a', port: 15432, items: null };
    expect(planChange(schema, prior, { ...prior, name: 'b' }, { ...config, name: 'b' }).requiresReplace).toEqual(['name']);
  });

  it('plans nothing for a destroy', () => {
    expect(planChange(schema, { id: 'x', name: 'a', port: 1, items: null }, null, null).planned).toBeNull();
  });
});

/**
 * The constructs restate the runtime's durability rules (jsii compiles only this package).
 * These properties compare both on many declarations, so they cannot drift apart.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { policyFor } from '../../runtime/src/consensus/registry';
import type { DurabilityPolicySpec } from '../../runtime/src/consensus/policy';
import { DurabilityPolicy } from '../src';
import { checkDurability } from '../src/model/durability-rules';

const policies = fc.oneof(
  fc.integer({ min: 1, max: 7 }).map((n) => [DurabilityPolicy.atLeast(n), { policy: 'atLeast', n }] as const),
  fc.integer({ min: 2, max: 7 }).map((n) => [DurabilityPolicy.multiZone(n), { policy: 'multiZone', n }] as const),
  fc.constant([DurabilityPolicy.surviveZoneFailure(), { policy: 'surviveZoneFailure' }] as const),
  fc.constant([DurabilityPolicy.none(), { policy: 'none' }] as const),
);

/** Instances per zone, e.g. [2, 0, 1]: zone-0 holds two, zone-2 one. */
const placements = fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 5 }).map((counts) =>
  counts.flatMap((count, zone) => Array.from({ length: count }, (_, index) => ({ name: `z${zone}-${index}`, zone: `z${zone}` }))));

describe('durability rules', () => {
  it('give the same findings as the runtime policies for any placement', () => {
    fc.assert(
      fc.property(policies, placements, ([policy, spec], instances) => {
        const ours = checkDurability(policy, instances);
        const runtime = policyFor(spec as DurabilityPolicySpec).check(instances);
        expect(ours).toEqual(runtime.map(({ severity, message, fix }) => ({ severity, message, fix })));
      }),
      { numRuns: 2000 },
    );
  });

  it('refuse the examples the issue names', () => {
    const twoZones = [{ name: 'a-0', zone: 'a' }, { name: 'b-0', zone: 'b' }];
    expect(checkDurability(DurabilityPolicy.surviveZoneFailure(), twoZones)[0]?.severity).toBe('error');
    expect(checkDurability(DurabilityPolicy.atLeast(3), twoZones)[0]?.severity).toBe('error');
    expect(checkDurability(DurabilityPolicy.multiZone(2), [{ name: 'a-0', zone: 'a' }, { name: 'a-1', zone: 'a' }])[0]?.severity).toBe('error');
    expect(checkDurability(DurabilityPolicy.none(), twoZones)).toMatchObject([{ severity: 'warning' }]);
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { atLeast, multiZone, none, policyFor, surviveZoneFailure, syncStandbyNames } from './index';
import type { PolicyNode } from './policy';

const node = (name: string, zone: string): PolicyNode => ({ name, zone });
const threeZones = [node('a0', 'a'), node('b0', 'b'), node('c0', 'c')];

describe('durability policies', () => {
  it('atLeast(n) waits for n-1 of the standbys', () => {
    expect(atLeast(2).syncConfig(threeZones[0]!, threeZones)).toEqual({ quorum: 1, standbys: ['b0', 'c0'] });
    expect(atLeast(3).syncConfig(threeZones[0]!, threeZones)).toEqual({ quorum: 2, standbys: ['b0', 'c0'] });
    expect(atLeast(4).syncConfig(threeZones[0]!, threeZones)).toBeUndefined();
    expect(atLeast(1).syncConfig(threeZones[0]!, threeZones)).toEqual({ quorum: 0, standbys: ['b0', 'c0'] });
  });

  it('multiZone(n) counts only standbys outside the primary zone', () => {
    const members = [node('a0', 'a'), node('a1', 'a'), node('b0', 'b'), node('b1', 'b')];
    expect(multiZone(2).syncConfig(members[0]!, members)).toEqual({ quorum: 1, standbys: ['b0', 'b1'] });
    expect(multiZone(3).syncConfig(members[0]!, members)).toEqual({ quorum: 2, standbys: ['b0', 'b1'] });
    expect(multiZone(4).syncConfig(members[0]!, members)).toBeUndefined();
  });

  it('surviveZoneFailure() needs three zones and sends every commit to another zone', () => {
    expect(surviveZoneFailure().syncConfig(threeZones[1]!, threeZones)).toEqual({ quorum: 1, standbys: ['a0', 'c0'] });
    expect(surviveZoneFailure().check(threeZones)).toEqual([]);
    expect(surviveZoneFailure().check(threeZones.slice(0, 2))[0]?.severity).toBe('error');
  });

  it('none() is asynchronous and warns', () => {
    expect(none().syncConfig(threeZones[0]!, threeZones)?.quorum).toBe(0);
    expect(none().check(threeZones)).toEqual([expect.objectContaining({ severity: 'warning' })]);
  });

  it('isDurable follows the definitions', () => {
    expect(atLeast(2).isDurable([node('a0', 'a')])).toBe(false);
    expect(atLeast(2).isDurable([node('a0', 'a'), node('a1', 'a')])).toBe(true);
    expect(multiZone(2).isDurable([node('a0', 'a'), node('a1', 'a')])).toBe(false);
    expect(multiZone(2).isDurable([node('a0', 'a'), node('b0', 'b')])).toBe(true);
    expect(surviveZoneFailure().isDurable([node('a0', 'a'), node('b0', 'b')])).toBe(true);
  });

  it('check() refuses what cannot be met and warns about fragile set-ups', () => {
    expect(atLeast(4).check(threeZones)).toEqual([expect.objectContaining({ severity: 'error' })]);
    expect(atLeast(3).check(threeZones)).toEqual([expect.objectContaining({ severity: 'warning' })]);
    expect(atLeast(2).check(threeZones)).toEqual([]);
    expect(multiZone(2).check([node('a0', 'a'), node('a1', 'a')])[0]?.severity).toBe('error');
    expect(multiZone(3).check([node('a0', 'a'), node('b0', 'b')])[0]?.message).toContain('outside');
  });

  it('renders synchronous_standby_names with quorum and quoted names', () => {
    expect(syncStandbyNames({ quorum: 1, standbys: ['zone-b-0', 'zone-c-0'] })).toBe('ANY 1 ("zone-b-0", "zone-c-0")');
    expect(syncStandbyNames({ quorum: 0, standbys: ['x'] })).toBe('');
  });

  it('the registry maps every spec to its policy', () => {
    expect(policyFor({ policy: 'atLeast', n: 3 }).describe()).toBe('atLeast(3)');
    expect(policyFor({ policy: 'multiZone', n: 2 }).describe()).toBe('multiZone(2)');
    expect(policyFor({ policy: 'surviveZoneFailure' }).describe()).toBe('surviveZoneFailure()');
    expect(policyFor({ policy: 'none' }).describe()).toBe('none()');
  });
});

/** Random clusters: up to 4 zones, up to 7 instances, and a policy among the four. */
const clusters = fc
  .record({
    zones: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 7 }),
    policy: fc.oneof(
      fc.integer({ min: 1, max: 5 }).map((n) => atLeast(n)),
      fc.integer({ min: 2, max: 5 }).map((n) => multiZone(n)),
      fc.constant(surviveZoneFailure()),
    ),
    primaryIndex: fc.nat(),
  })
  .map(({ zones, policy, primaryIndex }) => {
    const members = zones.map((zone, i) => node(`n${i}`, `z${zone}`));
    return { members, policy, primary: members[primaryIndex % members.length]! };
  });

describe('policy properties', () => {
  it('any quorum of acknowledging standbys plus the primary is durable', () => {
    fc.assert(
      fc.property(clusters, fc.nat(), ({ members, policy, primary }, seed) => {
        const config = policy.syncConfig(primary, members);
        if (!config) return;
        // Pick `quorum` acknowledging standbys starting at a random offset.
        const acks = config.standbys.slice(seed % Math.max(1, config.standbys.length)).concat(config.standbys).slice(0, config.quorum);
        const holders = [primary, ...members.filter((m) => acks.includes(m.name))];
        expect(policy.isDurable(holders)).toBe(true);
      }),
    );
  });

  it('a policy that check() accepts has a sync configuration for some primary', () => {
    fc.assert(
      fc.property(clusters, ({ members, policy }) => {
        const errors = policy.check(members).filter((f) => f.severity === 'error');
        const someConfig = members.some((primary) => policy.syncConfig(primary, members) !== undefined);
        if (errors.length === 0) expect(someConfig).toBe(true);
      }),
    );
  });
});

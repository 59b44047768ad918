/**
 * The runtime's durability rules (runtime/src/consensus: at-least, multi-zone,
 * survive-zone-failure, none), restated here because jsii compiles only this package.
 * test/durability-rules.test.ts compares them with the runtime's on many declarations, so
 * the two cannot drift apart.
 */
import { DurabilityPolicy, DurabilityPolicyKind } from './durability-policy';

export interface PlacedInstance {
  readonly name: string;
  readonly zone: string;
}

export interface DurabilityFinding {
  readonly severity: 'error' | 'warning';
  readonly message: string;
  readonly fix: string;
}

export function checkDurability(policy: DurabilityPolicy, instances: readonly PlacedInstance[]): DurabilityFinding[] {
  const n = policy.n ?? 0;
  switch (policy.kind) {
    case DurabilityPolicyKind.AT_LEAST:
      return checkAtLeast(n, instances.length);
    case DurabilityPolicyKind.MULTI_ZONE:
      return checkSpread(`multiZone(${n})`, n, instances);
    case DurabilityPolicyKind.SURVIVE_ZONE_FAILURE: {
      const zones = new Set(instances.map((instance) => instance.zone)).size;
      if (zones < 3) {
        return [error(
          `surviveZoneFailure() needs instances in at least three zones but they are in ${zones}: after losing one zone the rest could not both keep a copy in another zone and accept writes`,
          'declare instances in a third zone, or use multiZone(2) if writes may stop while a zone is down',
        )];
      }
      return checkSpread('surviveZoneFailure()', 2, instances);
    }
    case DurabilityPolicyKind.NONE:
      return [{
        severity: 'warning',
        message: 'none() replicates asynchronously: a failover can lose acknowledged commits',
        fix: 'use atLeast(2) or surviveZoneFailure() for anything but development',
      }];
  }
}

/** The bounds of `n` the spec schema sets: atLeast(n ≥ 1), multiZone(n ≥ 2). */
export function policyArgumentProblem(policy: DurabilityPolicy): DurabilityFinding | undefined {
  const minimum = policy.kind === DurabilityPolicyKind.AT_LEAST ? 1 : policy.kind === DurabilityPolicyKind.MULTI_ZONE ? 2 : undefined;
  if (minimum === undefined || policy.n === undefined) return undefined;
  if (Number.isInteger(policy.n) && policy.n >= minimum) return undefined;
  return error(`${policy.describe()}: n must be an integer of at least ${minimum}`, `use ${policy.kind}(${Math.max(minimum, 2)})`);
}

function checkAtLeast(n: number, count: number): DurabilityFinding[] {
  if (count < n) return [error(`atLeast(${n}) needs at least ${n} instances but ${count} are declared`, `lower n to ${count} or fewer, or add ${n - count} instance(s)`)];
  if (n > 1 && count === n) {
    return [warning(`atLeast(${n}) with exactly ${n} instances stops accepting writes when any one instance is down`, 'add an instance so that one can fail without blocking commits')];
  }
  if (n === 1) {
    return [warning('atLeast(1) acknowledges commits that only the primary has: a lost primary loses them', 'use atLeast(2) or a multi-zone policy for production data')];
  }
  return [];
}

/** Enough zones, and enough instances outside the primary's zone for n-1 standbys. */
function checkSpread(name: string, n: number, instances: readonly PlacedInstance[]): DurabilityFinding[] {
  const zones = new Set(instances.map((instance) => instance.zone));
  if (zones.size < 2) {
    return [error(
      `${name} needs instances in at least two zones but they are all in ${zones.size === 0 ? 'no zone' : 'one zone'}`,
      'declare instances in a second zone, or use atLeast(n) for a single-zone cluster',
    )];
  }
  const outside = Math.max(...[...zones].map((zone) => instances.filter((instance) => instance.zone !== zone).length));
  if (outside < n - 1) {
    return [error(
      `${name} needs ${n - 1} standby(s) outside the primary's zone but at most ${outside} exist outside any zone`,
      `lower n to ${outside + 1}, or add instances in other zones`,
    )];
  }
  return [];
}

const error = (message: string, fix: string): DurabilityFinding => ({ severity: 'error', message, fix });
const warning = (message: string, fix: string): DurabilityFinding => ({ severity: 'warning', message, fix });

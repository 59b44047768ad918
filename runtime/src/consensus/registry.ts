import type { DurabilityPolicy, DurabilityPolicySpec } from './policy';
import { atLeast } from './at-least';
import { multiZone } from './multi-zone';
import { none } from './none';
import { surviveZoneFailure } from './survive-zone-failure';

/** The policy object for a spec's `durability` section. */
export function policyFor(spec: DurabilityPolicySpec): DurabilityPolicy {
  switch (spec.policy) {
    case 'atLeast':
      return atLeast(spec.n);
    case 'multiZone':
      return multiZone(spec.n);
    case 'surviveZoneFailure':
      return surviveZoneFailure();
    case 'none':
      return none();
  }
}

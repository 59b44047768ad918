import type { DurabilityPolicy, PolicyFinding, PolicyNode } from './policy';
import { checkMultiZone, multiZone } from './multi-zone';
import { zonesOf } from './nodes';

/**
 * Commits always reach another zone, and there are enough zones that losing any one of them
 * leaves both a durable copy and a primary that can keep accepting writes: at least three
 * zones with instances.
 */
export function surviveZoneFailure(): DurabilityPolicy {
  const sync = multiZone(2);
  return {
    spec: { policy: 'surviveZoneFailure' },
    describe: () => 'surviveZoneFailure()',
    isDurable: sync.isDurable,
    syncConfig: sync.syncConfig,
    check(instances: readonly PolicyNode[]): PolicyFinding[] {
      const zones = zonesOf(instances).size;
      if (zones < 3) {
        return [{
          severity: 'error',
          message: `surviveZoneFailure() needs instances in at least three zones but they are in ${zones}: after losing one zone the rest could not both keep a copy in another zone and accept writes`,
          fix: 'declare instances in a third zone, or use multiZone(2) if writes may stop while a zone is down',
        }];
      }
      return checkMultiZone('surviveZoneFailure()', 2, instances);
    },
  };
}

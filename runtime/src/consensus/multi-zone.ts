import type { DurabilityPolicy, PolicyFinding, PolicyNode, SyncConfig } from './policy';
import { mostInstancesOutsideAnyZone, otherZoneStandbysOf, zonesOf } from './nodes';

/**
 * A commit is acknowledged once `n` nodes spanning at least two zones have it. Only standbys
 * outside the primary's zone acknowledge (ARCHITECTURE.md, control path 5), so every acknowledged commit has
 * left the primary's zone.
 */
export function multiZone(n: number): DurabilityPolicy {
  return {
    spec: { policy: 'multiZone', n },
    describe: () => `multiZone(${n})`,
    isDurable: (nodes: readonly PolicyNode[]) => nodes.length >= n && zonesOf(nodes).size >= 2,
    syncConfig(primary: PolicyNode, members: readonly PolicyNode[]): SyncConfig | undefined {
      const standbys = otherZoneStandbysOf(primary, members);
      if (standbys.length < n - 1) return undefined;
      return { quorum: n - 1, standbys: standbys.map((s) => s.name) };
    },
    check: (instances: readonly PolicyNode[]) => checkMultiZone(`multiZone(${n})`, n, instances),
  };
}

/** Shared by multiZone and surviveZoneFailure: enough zones and enough instances outside one. */
export function checkMultiZone(name: string, n: number, instances: readonly PolicyNode[]): PolicyFinding[] {
  const zones = zonesOf(instances).size;
  if (zones < 2) {
    return [{
      severity: 'error',
      message: `${name} needs instances in at least two zones but they are all in ${zones === 0 ? 'no zone' : 'one zone'}`,
      fix: 'declare instances in a second zone, or use atLeast(n) for a single-zone cluster',
    }];
  }
  const outside = mostInstancesOutsideAnyZone(instances);
  if (outside < n - 1) {
    return [{
      severity: 'error',
      message: `${name} needs ${n - 1} standby(s) outside the primary's zone but at most ${outside} exist outside any zone`,
      fix: `lower n to ${outside + 1}, or add instances in other zones`,
    }];
  }
  return [];
}

import type { PolicyNode } from './policy';

/** The distinct zones among `nodes`. */
export function zonesOf(nodes: readonly PolicyNode[]): Set<string> {
  const zones = new Set<string>();
  for (const node of nodes) zones.add(node.zone);
  return zones;
}

/** Every member except the primary, in declaration order. */
export function standbysOf(primary: PolicyNode, members: readonly PolicyNode[]): PolicyNode[] {
  return members.filter((member) => member.name !== primary.name);
}

/** Standbys in a zone other than the primary's: the only ones multi-zone policies count. */
export function otherZoneStandbysOf(primary: PolicyNode, members: readonly PolicyNode[]): PolicyNode[] {
  return members.filter((member) => member.name !== primary.name && member.zone !== primary.zone);
}

/** For each zone, how many instances lie outside it: the most a primary there can count on. */
export function mostInstancesOutsideAnyZone(instances: readonly PolicyNode[]): number {
  let best = 0;
  for (const zone of zonesOf(instances)) {
    best = Math.max(best, instances.filter((node) => node.zone !== zone).length);
  }
  return best;
}

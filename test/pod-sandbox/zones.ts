/**
 * The sandbox has one node, so zones are a scheduling fact it keeps itself: a pod whose
 * required node affinity names a zone is in that zone; a StatefulSet pod spread over zones
 * (a topology spread constraint on the zone key that it must satisfy) is in the zone its
 * ordinal lands on, one per zone in order, as the scheduler places them. A pod in a zone that
 * is down is not scheduled: it stays Pending until the zone comes back.
 */
import type { Json } from './terraform-values';

export const ZONE_KEY = 'topology.kubernetes.io/zone';

export function requiredZone(spec: Json): string | undefined {
  const required = spec.affinity?.node_affinity?.required_during_scheduling_ignored_during_execution;
  for (const term of required?.node_selector_term ?? []) {
    for (const expression of term.match_expressions ?? []) {
      if (expression.key === ZONE_KEY && expression.operator === 'In' && expression.values?.length === 1) return expression.values[0];
    }
  }
  return undefined;
}

/** The zone a pod is scheduled in, among `zones` (sorted), or undefined when it has none. */
export function podZone(spec: Json, podName: string, zones: readonly string[]): string | undefined {
  const pinned = requiredZone(spec);
  if (pinned) return pinned;
  const spread = (spec.topology_spread_constraint ?? []).some((constraint: Json) => constraint.topology_key === ZONE_KEY && constraint.when_unsatisfiable === 'DoNotSchedule');
  const ordinal = /-(\d+)$/.exec(podName)?.[1];
  if (!spread || ordinal === undefined || zones.length === 0) return undefined;
  return zones[Number(ordinal) % zones.length];
}

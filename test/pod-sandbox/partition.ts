/**
 * A network partition between availability zones, as filter rules per pod: the pods of the
 * cut zones and the pods of every other zone stop hearing each other (both ways), or only
 * one way ('out': what the cut zones send is lost; 'in': what they would receive). The node —
 * the test's clients, the API server, the S3 stand-in — still reaches every pod, as clients
 * inside a zone still reach that zone's gateways. Pods without a zone are never cut. A lossy link
 * is the same filter applied to a random share of the packets.
 */
import type { PodFilter } from './pod-network';

export interface ZoneCut {
  readonly zones: ReadonlySet<string>;
  readonly direction: 'both' | 'out' | 'in';
  /** The share of packets lost, in percent: 100 (absent) is a cut, less a lossy link. */
  readonly lossPercent?: number;
}

export interface PlacedPod {
  readonly netns: string;
  readonly ip: string;
  readonly zone: string | undefined;
}

export function partitionFilters(pods: readonly PlacedPod[], cut: ZoneCut | undefined): Map<string, PodFilter> {
  const filters = new Map<string, PodFilter>();
  if (!cut) return filters;
  const inside = pods.filter((pod) => pod.zone !== undefined && cut.zones.has(pod.zone));
  const outside = pods.filter((pod) => pod.zone !== undefined && !cut.zones.has(pod.zone));
  const ips = (list: readonly PlacedPod[]): string[] => list.map((pod) => pod.ip).sort();
  // What leaves the cut zones is lost unless the cut is only inbound, and the other way round.
  const outLost = cut.direction !== 'in';
  const inLost = cut.direction !== 'out';
  const loss = cut.lossPercent !== undefined && cut.lossPercent < 100 ? { lossPercent: cut.lossPercent } : {};
  for (const pod of inside) filters.set(pod.netns, { dropTo: outLost ? ips(outside) : [], dropFrom: inLost ? ips(outside) : [], ...loss });
  for (const pod of outside) filters.set(pod.netns, { dropTo: inLost ? ips(inside) : [], dropFrom: outLost ? ips(inside) : [], ...loss });
  return filters;
}

/**
 * The order of a rolling update of the instance pods, decided from one look at the cluster:
 * out-of-date standbys one at a time, then a switchover to an up-to-date standby, then the old
 * primary (by then a standby). Nothing is restarted unless the whole cluster is healthy: every
 * instance's pod Ready, a serving rule, every standby streaming and no failover, rejoin or
 * bootstrap pending, so a restart never takes the second copy of anything.
 */
import type { Problem } from '../analyzers';
import type { Snapshot } from '../snapshot';

/** One instance's pod as the API server reports it. */
export interface InstancePod {
  readonly instance: string;
  /** Absent: the instance has no pod (its StatefulSet is making one). */
  readonly pod?: string;
  /** The pod runs its StatefulSet's current template (image, spec, configuration). */
  readonly upToDate: boolean;
  readonly ready: boolean;
  readonly terminating: boolean;
}

export type RolloutStep =
  | { readonly kind: 'up-to-date' }
  | { readonly kind: 'wait'; readonly reason: string }
  | { readonly kind: 'restart'; readonly instance: string; readonly pod: string }
  | { readonly kind: 'switchover'; readonly from: string; readonly to: string };

const BLOCKING_FIXES = new Set(['failover', 'rejoin', 'complete-bootstrap']);

export function nextRolloutStep(pods: readonly InstancePod[], snapshot: Snapshot, problems: readonly Problem[]): RolloutStep {
  const outdated = pods.filter((pod) => !pod.upToDate);
  if (outdated.length === 0 && pods.every((pod) => pod.pod !== undefined && !pod.terminating)) return { kind: 'up-to-date' };
  const unhealthy = healthProblem(pods, snapshot, problems);
  if (unhealthy) return { kind: 'wait', reason: unhealthy };
  const rule = snapshot.rule!.value;
  const standby = outdated.filter((pod) => pod.instance !== rule.primary).sort((a, b) => a.instance.localeCompare(b.instance))[0];
  if (standby) return { kind: 'restart', instance: standby.instance, pod: standby.pod! };
  const primary = pods.find((pod) => pod.instance === rule.primary);
  if (!primary || primary.upToDate) return { kind: 'up-to-date' };
  // Members can be promoted; every standby is up to date by now.
  const to = rule.members.filter((member) => member !== rule.primary && pods.some((pod) => pod.instance === member && pod.upToDate)).sort()[0];
  if (!to) return { kind: 'wait', reason: `no up-to-date member to switch over to from ${rule.primary}` };
  return { kind: 'switchover', from: rule.primary, to };
}

/** Why the cluster cannot lose an instance for a while now, or undefined when it can. */
function healthProblem(pods: readonly InstancePod[], snapshot: Snapshot, problems: readonly Problem[]): string | undefined {
  for (const pod of pods) {
    if (pod.pod === undefined) return `${pod.instance} has no pod`;
    if (pod.terminating) return `${pod.instance}'s pod ${pod.pod} is terminating`;
    if (!pod.ready) return `${pod.instance}'s pod ${pod.pod} is not Ready`;
  }
  const rule = snapshot.rule?.value;
  if (!rule || rule.status !== 'serving') return 'the cluster has no serving rule';
  const blocking = problems.find((problem) => BLOCKING_FIXES.has(problem.fix.kind));
  if (blocking) return blocking.description;
  for (const [name, status] of snapshot.statuses) {
    if (!status) return `${name}'s pooler does not answer`;
    if (name === rule.primary) {
      if (status.role !== 'primary') return `the primary ${name} is not out of recovery`;
    } else if (status.walReceiver !== 'streaming') {
      return `standby ${name} does not stream (WAL receiver: ${status.walReceiver ?? 'none'})`;
    }
  }
  return undefined;
}

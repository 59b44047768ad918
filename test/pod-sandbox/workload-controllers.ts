/**
 * The controllers that turn workloads into pods, as kube-controller-manager does for the
 * parts the rendered stack uses:
 * - StatefulSet: pods `<name>-<ordinal>` with stable names and their claims' volumes,
 *   OrderedReady (each after the one before is Ready) or Parallel; `OnDelete` updates only
 *   when a pod is deleted, `RollingUpdate` replaces from the highest ordinal, one Ready at a time.
 * - Deployment: pods `<name>-<hash>-<suffix>`, replaced when deleted; a template change rolls
 *   with maxSurge 25% (rounded up) and maxUnavailable 25% (rounded down), or `Recreate`.
 * - Job: one pod to completion, a new one after a failed pod, up to backoff_limit.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Workload } from './cluster-objects';
import type { Pod } from './pod-runner';
import type { Json } from './terraform-values';

export interface OwnedPod {
  readonly pod: Pod;
  readonly hash: string;
}

export interface PodStore {
  owned(workload: Workload): OwnedPod[];
  create(workload: Workload, name: string, spec: Json, options: { hostname?: string; subdomain?: string; hash: string }): void;
  remove(pod: Pod): void;
  /** Pods that finished (a Job's) or were deleted, by workload. */
  finished(workload: Workload): OwnedPod[];
}

export function templateHash(template: Json): string {
  return createHash('sha256').update(JSON.stringify(template)).digest('hex').slice(0, 10);
}

/** A StatefulSet's revision as its controller names it: its pods' `controller-revision-hash`, its `updateRevision`. */
export function revisionName(statefulSet: string, hash: string): string {
  return `${statefulSet}-${hash}`;
}

export function reconcile(workload: Workload, store: PodStore): void {
  if (workload.kind === 'StatefulSet') reconcileStatefulSet(workload, store);
  else if (workload.kind === 'Deployment') reconcileDeployment(workload, store);
  else reconcileJob(workload, store);
}

function reconcileStatefulSet(workload: Workload, store: PodStore): void {
  const spec = workload.body.spec;
  const replicas = Number(spec.replicas ?? 1);
  const hash = templateHash(spec.template);
  const pods = store.owned(workload);
  const byName = new Map(pods.map((owned) => [owned.pod.name, owned]));
  const ordered = (spec.pod_management_policy ?? 'OrderedReady') === 'OrderedReady';
  for (let ordinal = 0; ordinal < replicas; ordinal++) {
    const name = `${workload.name}-${ordinal}`;
    if (!byName.has(name)) {
      const volumes = (spec.volume_claim_template ?? []).map((claim: Json) => ({ name: claim.metadata.name, persistent_volume_claim: { claim_name: `${claim.metadata.name}-${name}` } }));
      const podSpec = { ...spec.template.spec, volume: [...(spec.template.spec.volume ?? []), ...volumes] };
      store.create(workload, name, podSpec, { hostname: name, subdomain: spec.service_name, hash });
      if (ordered) return;
    } else if (ordered && !byName.get(name)!.pod.ready) {
      return;
    }
  }
  const strategy = spec.update_strategy?.[0]?.type ?? spec.update_strategy?.type ?? 'RollingUpdate';
  if (strategy !== 'RollingUpdate' || pods.some((owned) => !owned.pod.ready)) return;
  const stale = pods.filter((owned) => owned.hash !== hash).sort((a, b) => b.pod.name.localeCompare(a.pod.name, undefined, { numeric: true }));
  if (stale[0]) store.remove(stale[0].pod);
}

function reconcileDeployment(workload: Workload, store: PodStore): void {
  const spec = workload.body.spec;
  const replicas = Number(spec.replicas ?? 1);
  const hash = templateHash(spec.template);
  const live = store.owned(workload).filter((owned) => !owned.pod.deleting);
  const current = live.filter((owned) => owned.hash === hash);
  const old = live.filter((owned) => owned.hash !== hash);
  const create = (): void => store.create(workload, `${workload.name}-${hash}-${randomBytes(3).toString('hex').slice(0, 5)}`, spec.template.spec, { hash });
  const strategy = spec.strategy?.[0] ?? spec.strategy ?? {};
  if (strategy.type === 'Recreate') {
    for (const owned of old) store.remove(owned.pod);
    if (old.length === 0 && store.owned(workload).every((owned) => !owned.pod.deleting)) for (let i = current.length; i < replicas; i++) create();
    return;
  }
  const rolling = strategy.rolling_update?.[0] ?? strategy.rolling_update ?? {};
  const maxSurge = percentOf(rolling.max_surge ?? '25%', replicas, Math.ceil);
  const maxUnavailable = Math.max(percentOf(rolling.max_unavailable ?? '25%', replicas, Math.floor), maxSurge === 0 ? 1 : 0);
  for (let i = current.length; i < replicas && live.length + (i - current.length) < replicas + maxSurge; i++) create();
  for (const extra of current.slice(replicas)) store.remove(extra.pod);
  let available = live.filter((owned) => owned.pod.ready).length;
  for (const owned of [...old].sort((a, b) => Number(a.pod.ready) - Number(b.pod.ready))) {
    if (owned.pod.ready && available - 1 < replicas - maxUnavailable) break;
    store.remove(owned.pod);
    if (owned.pod.ready) available -= 1;
  }
}

function reconcileJob(workload: Workload, store: PodStore): void {
  const spec = workload.body.spec;
  const finished = store.finished(workload);
  if (finished.some((owned) => owned.pod.phase === 'Succeeded')) return;
  if (store.owned(workload).length > 0) return;
  if (finished.filter((owned) => owned.pod.phase === 'Failed').length > Number(spec.backoff_limit ?? 6)) return;
  store.create(workload, `${workload.name}-${randomBytes(3).toString('hex').slice(0, 5)}`, spec.template.spec, { hash: templateHash(spec.template) });
}

function percentOf(value: string | number, replicas: number, round: (n: number) => number): number {
  const text = String(value);
  return text.endsWith('%') ? round((Number(text.slice(0, -1)) / 100) * replicas) : Number(text);
}

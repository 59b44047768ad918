/**
 * What changing a running cluster's spec costs, change by change: the plan `polygres apply`
 * (and the provider's plan) shows before anything happens. Postgres parameters cost what
 * their context says (a real server's pg_settings, postgres/parameters); the policy changes
 * live; what cannot change on a running cluster is refused with the reason and the way round.
 */
import { isDeepStrictEqual } from 'node:util';
import { POSTGRES_15_PARAMETERS } from '../postgres/parameters/postgres-15-parameters';
import type { ClusterSpec } from './schema';

export type ChangeEffect =
  /** Postgres' settings rendered again and reloaded: no restart, no client notices. */
  | 'reload'
  /** Each instance restarts, standbys first, then one switchover: writes pause once. */
  | 'rolling-restart'
  /** The durability policy changes live (both quorums hold until the new one has everything). */
  | 'durability'
  /** The orchestrators restart one at a time to read it: clients notice nothing. */
  | 'orchestrators'
  /**
   * Instances join (restored from the latest backup, then streaming, then in the rule) or leave
   * (switched away from, out of the rule, then stopped and deleted).
   */
  | 'instances'
  /** Not on a running cluster: the reason says what to do instead. */
  | 'refused';

export interface SpecChange {
  /** The field, as a spec path: `postgres.parameters.work_mem`, `durability`, `instances`. */
  readonly path: string;
  readonly from: unknown;
  readonly to: unknown;
  readonly effect: ChangeEffect;
  readonly why: string;
}

/**
 * Pooler and gateway settings they change while running (Pool.reconfigure, ClientLimits,
 * ReplicaSelector). The rest — the statement cache, the reserved connections, the failover
 * buffer, TLS, auth, ports, the client memory budget — they read once, at start.
 */
const LIVE_SERVICE_SETTINGS = [
  'pooler.poolSize', 'pooler.minPoolSize', 'pooler.queueTimeoutMs', 'pooler.idleTimeoutMs', 'pooler.serverLifetimeMs', 'pooler.pipelineDepth',
  'gateway.limits.loginTimeoutMs', 'gateway.limits.maxClientConnections', 'gateway.limits.maxConnectionsPerUser', 'gateway.limits.maxPendingLogins',
  'gateway.limits.maxMessageBytes', 'gateway.limits.idleInTransactionTimeoutMs', 'gateway.limits.slowClientTimeoutMs', 'gateway.replicaReads.maxLagBytes',
];

/** Fields compared whole (a list, a policy), not leaf by leaf. */
const WHOLE = new Set(['zones', 'instances', 'durability', 'shards', 'backup.repositories', 'backup.encryption', 'backup.schedule']);

export function specChanges(current: ClusterSpec, next: ClusterSpec): SpecChange[] {
  const changes: SpecChange[] = [];
  walk(current, next, '', (path, from, to) => changes.push({ path, from, to, ...classify(path, from, to) }));
  return changes;
}

function walk(from: unknown, to: unknown, path: string, report: (path: string, from: unknown, to: unknown) => void): void {
  if (isDeepStrictEqual(from, to)) return;
  const objects = isRecord(from) && isRecord(to);
  if (!objects || WHOLE.has(path)) {
    report(path, from, to);
    return;
  }
  for (const key of new Set([...Object.keys(from), ...Object.keys(to)])) walk(from[key], to[key], path ? `${path}.${key}` : key, report);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function classify(path: string, from: unknown, to: unknown): { effect: ChangeEffect; why: string } {
  if (path.startsWith('postgres.parameters.')) return parameterChange(path.slice('postgres.parameters.'.length));
  if (path === 'instances') return instancesChange(from as ClusterSpec['instances'], to as ClusterSpec['instances']);
  if (path === 'zones') return zonesChange(from as ClusterSpec['zones'], to as ClusterSpec['zones']);
  if (path === 'durability') return { effect: 'durability', why: 'the policy changes live; nothing restarts' };
  if (path === 'backup.schedule') return { effect: 'orchestrators', why: 'the orchestrators read the schedule when they start' };
  if (path === 'backup.retention' || path.startsWith('backup.retention.') || path.startsWith('backup.compression')) {
    return { effect: 'reload', why: "pgBackRest's configuration is rendered again; the next backup uses it" };
  }
  if (LIVE_SERVICE_SETTINGS.some((prefix) => path === prefix || path.startsWith(`${prefix}.`))) {
    return { effect: 'reload', why: 'the poolers and gateways take it on reload: pools resize, limits apply from their next check' };
  }
  if (path === 'backup' && (from === undefined || to === undefined)) {
    return { effect: 'rolling-restart', why: `WAL archiving ${to === undefined ? 'stops' : 'starts'} (archive_mode needs a restart), and the orchestrators ${to === undefined ? 'stop' : 'start'} scheduling backups` };
  }
  return refusal(path);
}

function instancesChange(from: ClusterSpec['instances'], to: ClusterSpec['instances']): { effect: ChangeEffect; why: string } {
  const key = (instance: { name: string; zone: string }) => `${instance.name}\u0000${instance.zone}`;
  const moved = to.filter((instance) => from.some((old) => old.name === instance.name && old.zone !== instance.zone));
  if (moved.length > 0) return { effect: 'refused', why: `an instance keeps its zone (${moved.map((i) => i.name).join(', ')}): remove it, then add one under a new name` };
  const added = to.filter((instance) => !from.some((old) => key(old) === key(instance))).map((i) => i.name);
  const removed = from.filter((instance) => !to.some((next) => key(next) === key(instance))).map((i) => i.name);
  const parts = [
    ...(added.length > 0 ? [`${added.join(', ')} join: restored from the latest backup, then streaming, then in the rule`] : []),
    ...(removed.length > 0 ? [`${removed.join(', ')} leave: switched away from if primary, out of the rule, then stopped and deleted`] : []),
  ];
  return { effect: 'instances', why: parts.join('; ') };
}

function zonesChange(from: ClusterSpec['zones'], to: ClusterSpec['zones']): { effect: ChangeEffect; why: string } {
  const names = (zones: ClusterSpec['zones']) => zones.map((zone) => zone.name);
  const kept = from.filter((zone) => to.some((next) => next.name === zone.name));
  if (kept.some((zone) => !isDeepStrictEqual(zone, to.find((next) => next.name === zone.name)))) {
    return { effect: 'refused', why: "a zone's settings (its Kubernetes labels) are read when its pods are placed: add a zone under a new name instead" };
  }
  const added = names(to).filter((name) => !names(from).includes(name));
  const removed = names(from).filter((name) => !names(to).includes(name));
  const parts = [
    ...(added.length > 0 ? [`${added.join(', ')}: a gateway and an orchestrator start, with the zone's instances`] : []),
    ...(removed.length > 0 ? [`${removed.join(', ')}: its gateway and orchestrator stop once its instances have left (its clients reconnect to another zone)`] : []),
  ];
  return { effect: 'instances', why: parts.join('; ') };
}

function parameterChange(name: string): { effect: ChangeEffect; why: string } {
  const known = Object.entries(POSTGRES_15_PARAMETERS).find(([candidate]) => candidate.toLowerCase() === name.toLowerCase())?.[1];
  if (!known) return { effect: 'reload', why: "an extension's parameter: reloaded, and restarted where Postgres says the restart is pending" };
  if (known.context === 'postmaster') return { effect: 'rolling-restart', why: `${name} takes effect only when Postgres restarts (context postmaster)` };
  return { effect: 'reload', why: `${name} takes effect on reload (context ${known.context})` };
}

function refusal(path: string): { effect: ChangeEffect; why: string } {
  const root = path.split('.')[0]!;
  switch (root) {
    case 'name':
    case 'apiVersion':
    case 'shards':
      return { effect: 'refused', why: `${path} names the cluster's data (its stanza, its keys in etcd); make a new cluster from this one's backups with polygres restore --name` };
    case 'postgres':
      return { effect: 'refused', why: 'a new Postgres major version is an upgrade, not a change: restore a backup into a new cluster running it' };

    case 'backup':
      return { effect: 'refused', why: 'the repositories and their encryption hold this cluster\'s backups and WAL archive: changing them would split the archive; restore into a new cluster with the new repository instead' };
    default:
      return { effect: 'refused', why: `the ${root} reads ${path} once, when it starts; changing it on a running cluster is not supported yet` };
  }
}

/** One line per change, for the plan: `postgres.parameters.work_mem: "4MB" → "64MB" (reload: ...)`. */
export function describeChange(change: SpecChange): string {
  const show = (value: unknown) => (value === undefined ? '(none)' : JSON.stringify(value));
  return `${change.path}: ${show(change.from)} → ${show(change.to)}  [${change.effect}] ${change.why}`;
}

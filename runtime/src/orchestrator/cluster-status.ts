/**
 * The cluster as `polygres status` shows it: the rule from etcd joined with each pooler's
 * first-hand report. Built the same way by the orchestrator's admin API and by the CLI, so
 * both say the same thing.
 */
import { policyFor } from '../consensus/registry';
import { syncStandbyNames } from '../consensus/sync-standby-names';
import type { ClusterLayout } from '../deployment/layout';
import { analyze } from './analyzers';
import type { InstanceStatus } from '../postgres/instance-status';
import type { ShardRule } from '../topo/records';
import { isListening } from '../util/net';
import { callAdmin } from '../admin/http-client';

export interface InstanceView {
  readonly name: string;
  readonly zone: string;
  readonly role: 'primary' | 'replica' | 'unknown';
  readonly host: string;
  readonly port: number;
  readonly poolerPort: number;
  /** The pooler's HTTP base URL: /metrics and the health checks (/primary, /replica, ...). */
  readonly http: string;
  readonly healthy: boolean;
  readonly lsn: string | null;
  readonly phase: string;
  /** As the primary's pg_stat_replication reports this standby; null on the primary. */
  readonly syncState: string | null;
  readonly replicationState: string | null;
  readonly error: string | null;
}

export interface GatewayView {
  readonly zone: string;
  readonly host: string;
  readonly port: number;
  readonly replicaPort: number;
  /** The gateway's HTTP base URL: the status page at /, and /metrics. */
  readonly http: string;
  readonly listening: boolean;
}

export interface OrchestratorView {
  readonly name: string;
  readonly zone: string;
  /** The orchestrator's HTTP base URL: /metrics. */
  readonly http: string;
}

export interface ClusterStatus {
  readonly cluster: string;
  readonly term: number | null;
  /** Instance the rule names as primary; null before the first rule exists. */
  readonly primary: string | null;
  readonly policy: string | null;
  readonly ruleStatus: ShardRule['status'] | null;
  readonly syncStandbyNames: string | null;
  /** The election under way, if any. */
  readonly election: ShardRule['election'];
  /** The highest term any pooler has accepted: ahead of `term` while an election runs. */
  readonly acceptedTerm: number | null;
  readonly instances: readonly InstanceView[];
  readonly gateways: readonly GatewayView[];
  readonly orchestrators: readonly OrchestratorView[];
  /** What the orchestrators' analyzers see right now: blocked commits, lagging standbys... */
  readonly problems: readonly string[];
  /** The primary's WAL archiving, null when it has archived nothing (or has no archive). */
  readonly archive: ArchiveView | null;
}

/**
 * When the primary last archived a WAL segment: a point-in-time restore reaches no further,
 * so its age bounds what a restore from the repository alone could lose.
 */
export interface ArchiveView {
  readonly lastArchivedAt: string | null;
  /** Seconds since then, when the status was taken. */
  readonly ageSeconds: number | null;
  readonly lastFailedAt: string | null;
  readonly failedCount: number;
}

export async function fetchInstanceStatus(layout: ClusterLayout, token: string, name: string): Promise<InstanceStatus | undefined> {
  const instance = layout.instances.find((candidate) => candidate.name === name);
  if (!instance) return undefined;
  try {
    return await callAdmin<InstanceStatus>({ host: instance.host, port: instance.adminPort, token, path: '/v1/status', timeoutMs: 1_500 });
  } catch {
    return undefined;
  }
}

export async function collectClusterStatus(layout: ClusterLayout, token: string, rule: ShardRule | undefined): Promise<ClusterStatus> {
  const reports = await Promise.all(layout.instances.map((instance) => fetchInstanceStatus(layout, token, instance.name)));
  const statuses = new Map(layout.instances.map((instance, index) => [instance.name, reports[index]]));
  const snapshot = { at: Date.now(), rule: rule ? { value: rule, modRevision: '0' } : undefined, statuses };
  const acceptedTerms = reports.flatMap((report) => (report ? [report.acceptedTerm] : []));
  const primaryReport = reports.find((report) => report?.instance === rule?.primary);
  const instances = layout.instances.map((instance, index): InstanceView => {
    const report = reports[index];
    const peer = primaryReport?.replication.find((candidate) => candidate.name === instance.name);
    return {
      name: instance.name,
      zone: instance.zone,
      role: report?.role ?? 'unknown',
      host: instance.host,
      port: instance.port,
      poolerPort: instance.poolerPort,
      http: httpBase(instance.host, instance.adminPort),
      healthy: report?.healthy ?? false,
      lsn: report?.lsn ?? null,
      phase: report?.phase ?? 'unreachable',
      syncState: peer?.syncState ?? null,
      replicationState: peer?.state ?? null,
      error: report ? report.error : 'pooler not reachable',
    };
  });
  const gateways = await Promise.all(
    layout.gateways.map(async (gateway) => ({ ...gateway, listening: await isListening(gateway.host, gateway.port) })),
  );
  return {
    cluster: layout.cluster,
    term: rule?.term ?? null,
    primary: rule?.primary ?? null,
    policy: rule ? policyFor(rule.policy).describe() : null,
    ruleStatus: rule?.status ?? null,
    syncStandbyNames: rule ? syncStandbyNames(rule.sync) : null,
    election: rule?.election ?? null,
    acceptedTerm: acceptedTerms.length > 0 ? Math.max(...acceptedTerms) : null,
    problems: analyze(snapshot).map((problem) => problem.description),
    instances,
    gateways: gateways.map(({ zone, host, port, replicaPort, metricsPort, listening }) => ({ zone, host, port, replicaPort, http: httpBase(host, metricsPort), listening })),
    orchestrators: layout.orchestrators.map(({ name, zone, host, adminPort }) => ({ name, zone, http: httpBase(host, adminPort) })),
    archive: archiveView(primaryReport),
  };
}

/** An HTTP base URL; an IPv6 address goes in brackets. */
export function httpBase(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

function archiveView(primary: InstanceStatus | undefined): ArchiveView | null {
  const archiver = primary?.archiver;
  if (!archiver || (!archiver.lastArchivedAt && !archiver.lastFailedAt)) return null;
  return {
    lastArchivedAt: archiver.lastArchivedAt,
    ageSeconds: archiver.lastArchivedAt ? Math.max(0, Math.round((Date.now() - Date.parse(archiver.lastArchivedAt)) / 1000)) : null,
    lastFailedAt: archiver.lastFailedAt,
    failedCount: archiver.failedCount,
  };
}

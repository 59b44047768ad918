/**
 * The cluster as numbers: what every orchestrator exports at /metrics, computed from one look
 * at the cluster (its latest snapshot), the history in etcd and the backup repository. Pure,
 * so each metric's meaning is tested here rather than through a scrape.
 */
import type { BackupRecord } from '../../backup/pgbackrest-runner';
import { parseLsn } from '../../consensus/lsn';
import { policyFor } from '../../consensus/registry';
import type { Snapshot } from '../snapshot';
import type { HistoryEntry } from '../../topo/records';
import { nextCronRun } from '../../util/cron-schedule';

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface ClusterFacts {
  readonly snapshot: Snapshot | undefined;
  readonly history: readonly HistoryEntry[];
  /** The repository's backups (pgBackRest info), undefined when it could not be read. */
  readonly backups: readonly BackupRecord[] | undefined;
  readonly zoneOf: ReadonlyMap<string, string>;
  readonly now: number;
}

const LAG_KINDS = ['write', 'flush', 'replay'] as const;
const BACKUP_TYPES = ['full', 'diff', 'incr'] as const;

export function clusterSamples(facts: ClusterFacts): Sample[] {
  return [...ruleSamples(facts), ...historySamples(facts.history), ...instanceSamples(facts), ...backupSamples(facts), ...archiveSamples(facts)];
}

function ruleSamples({ snapshot }: ClusterFacts): Sample[] {
  const rule = snapshot?.rule?.value;
  if (!rule) return [{ name: 'polygres_rule_serving', labels: {}, value: 0 }];
  const primary = snapshot.statuses.get(rule.primary);
  const synchronous = (primary?.role === 'primary' ? primary.replication : []).filter((peer) => peer.state === 'streaming' && (peer.syncState === 'sync' || peer.syncState === 'quorum'));
  return [
    { name: 'polygres_term', labels: {}, value: rule.term },
    { name: 'polygres_rule_serving', labels: {}, value: rule.status === 'serving' ? 1 : 0 },
    { name: 'polygres_durability_policy_info', labels: { policy: policyFor(rule.policy).describe() }, value: 1 },
    { name: 'polygres_synchronous_standbys', labels: {}, value: synchronous.length },
    { name: 'polygres_synchronous_standbys_required', labels: {}, value: rule.sync.quorum },
  ];
}

/** Primary changes count the elections that finished; the history in etcd outlives any orchestrator. */
function historySamples(history: readonly HistoryEntry[]): Sample[] {
  const done = (reason: string) => history.filter((entry) => entry.action === reason && entry.outcome === 'done');
  const samples: Sample[] = ['failover', 'switchover'].map((reason) => ({ name: 'polygres_primary_changes_total', labels: { reason }, value: done(reason).length }));
  const lastOutage = done('failover').findLast((entry) => entry.outageSeconds !== undefined)?.outageSeconds;
  if (lastOutage !== undefined) samples.push({ name: 'polygres_last_failover_outage_seconds', labels: {}, value: lastOutage });
  return samples;
}

function instanceSamples({ snapshot, zoneOf }: ClusterFacts): Sample[] {
  if (!snapshot) return [];
  const samples: Sample[] = [];
  const rule = snapshot.rule?.value;
  const primary = rule ? snapshot.statuses.get(rule.primary) : undefined;
  const primaryLsn = primary?.role === 'primary' ? parseLsn(primary.lsn) : undefined;
  for (const [name, status] of snapshot.statuses) {
    const labels = { instance: name, zone: zoneOf.get(name) ?? '' };
    samples.push({ name: 'polygres_instance_up', labels, value: status?.healthy ? 1 : 0 });
    samples.push({ name: 'polygres_instance_is_primary', labels, value: status?.healthy && status.role === 'primary' && rule?.primary === name ? 1 : 0 });
    if (status?.timeline !== undefined && status.timeline !== null) samples.push({ name: 'polygres_instance_timeline', labels, value: status.timeline });
    if (status?.lsn) samples.push({ name: 'polygres_instance_lsn_bytes', labels, value: Number(parseLsn(status.lsn)) });
    const peer = primary?.role === 'primary' ? primary.replication.find((candidate) => candidate.name === name) : undefined;
    if (!peer || primaryLsn === undefined) continue;
    samples.push({ name: 'polygres_replication_sync_state', labels: { ...labels, state: peer.syncState }, value: 1 });
    for (const kind of LAG_KINDS) {
      const position = peer[`${kind}Lsn`];
      if (position) samples.push({ name: 'polygres_replication_lag_bytes', labels: { ...labels, kind }, value: Math.max(0, Number(primaryLsn - parseLsn(position))) });
      // Postgres clears its lag times once a standby has caught up and nothing new is written.
      samples.push({ name: 'polygres_replication_lag_seconds', labels: { ...labels, kind }, value: peer[`${kind}LagSeconds`] ?? 0 });
    }
  }
  return samples;
}

function backupSamples({ snapshot, backups, now }: ClusterFacts): Sample[] {
  const scheduled = snapshot?.backups;
  if (!scheduled) return [];
  const samples: Sample[] = [];
  for (const type of BACKUP_TYPES) {
    // The repository is the truth (backups taken by hand count too); the orchestrators' record fills in when it cannot be read.
    const stops = [...(backups ?? []).filter((backup) => backup.type === type).map((backup) => Date.parse(backup.stop)), Date.parse(scheduled.state?.value.last[type] ?? '')];
    const last = Math.max(...stops.filter((stop) => Number.isFinite(stop)));
    if (Number.isFinite(last)) samples.push({ name: 'polygres_backup_last_success_timestamp_seconds', labels: { type }, value: last / 1000 });
    const interval = scheduleInterval(scheduled.schedule[type], now);
    if (interval !== undefined) samples.push({ name: 'polygres_backup_schedule_interval_seconds', labels: { type }, value: interval });
  }
  const result = scheduled.state?.value.lastResult;
  if (result?.outcome === 'failed') samples.push({ name: 'polygres_backup_last_failure_timestamp_seconds', labels: { type: result.type }, value: Date.parse(result.at) / 1000 });
  return samples;
}

/** Seconds between two scheduled runs: the bound an alert on a backup's age starts from. */
function scheduleInterval(schedule: string | undefined, now: number): number | undefined {
  if (!schedule) return undefined;
  const first = nextCronRun(schedule, new Date(now));
  const second = first && nextCronRun(schedule, first);
  return first && second ? (second.getTime() - first.getTime()) / 1000 : undefined;
}

function archiveSamples({ snapshot }: ClusterFacts): Sample[] {
  const rule = snapshot?.rule?.value;
  const archiver = rule ? snapshot.statuses.get(rule.primary)?.archiver : undefined;
  if (!archiver) return [];
  const samples: Sample[] = [{ name: 'polygres_wal_archive_failures_total', labels: {}, value: archiver.failedCount }];
  if (archiver.lastArchivedAt) samples.push({ name: 'polygres_wal_archive_last_success_timestamp_seconds', labels: {}, value: Date.parse(archiver.lastArchivedAt) / 1000 });
  if (archiver.lastFailedAt) samples.push({ name: 'polygres_wal_archive_last_failure_timestamp_seconds', labels: {}, value: Date.parse(archiver.lastFailedAt) / 1000 });
  return samples;
}

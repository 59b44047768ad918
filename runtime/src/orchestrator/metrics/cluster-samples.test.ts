import { describe, expect, it } from 'vitest';
import type { InstanceStatus } from '../../postgres/instance-status';
import type { Snapshot } from '../snapshot';
import type { HistoryEntry, ShardRule } from '../../topo/records';
import { type Sample, clusterSamples } from './cluster-samples';

const now = Date.parse('2026-12-01T12:00:00Z');
const rule: ShardRule = {
  term: 7, primary: 'a-1', policy: { policy: 'atLeast', n: 2 }, members: ['a-1', 'b-1', 'c-1'], sync: { quorum: 1, standbys: ['b-1', 'c-1'] },
  pendingSync: null, status: 'serving', election: null, decidedBy: 'orchestrator-a', decidedAt: '2026-12-01T11:00:00Z',
};
function report(instance: string, overrides: Partial<InstanceStatus> = {}): InstanceStatus {
  return {
    instance, zone: instance[0]!, phase: 'running', role: 'replica', healthy: true, postmasterPid: 1, lsn: '0/3000000', receiveLsn: null, walReceiver: 'streaming',
    upstream: null, replication: [], syncStandbyNames: null, ruleTerm: 7, timeline: 3, archiver: null, acceptedTerm: 7, error: null, checkedAt: '2026-12-01T12:00:00Z', ...overrides,
  };
}
const peer = (name: string, syncState: string, replayLsn: string) => ({
  name, state: 'streaming', syncState, writeLsn: '0/3000000', flushLsn: '0/3000000', replayLsn, writeLagSeconds: null, flushLagSeconds: null, replayLagSeconds: 2.5,
});
const primary = report('a-1', {
  role: 'primary', walReceiver: null, lsn: '0/3000000',
  replication: [peer('b-1', 'quorum', '0/2F00000'), peer('c-1', 'potential', '0/3000000')],
  archiver: { failedCount: 2, lastFailedAt: '2026-12-01T11:58:00Z', lastArchivedAt: '2026-12-01T11:59:00Z', lastFailedWal: null },
});
const snapshot: Snapshot = {
  at: now,
  rule: { value: rule, modRevision: '5' },
  statuses: new Map([['a-1', primary], ['b-1', report('b-1', { lsn: '0/2F00000' })], ['c-1', undefined]]),
  backups: { schedule: { full: '0 1 * * 0', incr: '0 * * * *' }, state: { value: { last: { incr: '2026-12-01T11:00:00Z' }, running: null, lastResult: { type: 'incr', outcome: 'failed', detail: 'disk full', at: '2026-12-01T11:30:00Z' } }, modRevision: '9' } },
};
const zoneOf = new Map([['a-1', 'a'], ['b-1', 'b'], ['c-1', 'c']]);
const history = (entries: Partial<HistoryEntry>[]): HistoryEntry[] => entries.map((entry) => ({ term: 1, action: 'failover', by: 'o', at: '', outcome: 'done', detail: '', ...entry }));

function value(samples: Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  return samples.find((sample) => sample.name === name && Object.entries(labels).every(([key, wanted]) => sample.labels[key] === wanted))?.value;
}

describe('cluster samples', () => {
  const samples = clusterSamples({ snapshot, history: [], backups: [], zoneOf, now });

  it('states the rule: term, serving, policy, synchronous standbys against what the policy needs', () => {
    expect(value(samples, 'polygres_term')).toBe(7);
    expect(value(samples, 'polygres_rule_serving')).toBe(1);
    expect(value(samples, 'polygres_durability_policy_info', { policy: 'atLeast(2)' })).toBe(1);
    expect(value(samples, 'polygres_synchronous_standbys')).toBe(1);
    expect(value(samples, 'polygres_synchronous_standbys_required')).toBe(1);
  });

  it('states each instance: up, primary, lag measured from the primary’s position', () => {
    expect(value(samples, 'polygres_instance_up', { instance: 'a-1', zone: 'a' })).toBe(1);
    expect(value(samples, 'polygres_instance_up', { instance: 'c-1' })).toBe(0);
    expect(value(samples, 'polygres_instance_is_primary', { instance: 'a-1' })).toBe(1);
    expect(value(samples, 'polygres_instance_is_primary', { instance: 'b-1' })).toBe(0);
    expect(value(samples, 'polygres_replication_lag_bytes', { instance: 'b-1', kind: 'replay' })).toBe(0x100000);
    expect(value(samples, 'polygres_replication_lag_bytes', { instance: 'b-1', kind: 'flush' })).toBe(0);
    expect(value(samples, 'polygres_replication_lag_seconds', { instance: 'b-1', kind: 'replay' })).toBe(2.5);
    expect(value(samples, 'polygres_replication_lag_seconds', { instance: 'b-1', kind: 'write' })).toBe(0);
    expect(value(samples, 'polygres_replication_sync_state', { instance: 'c-1', state: 'potential' })).toBe(1);
    expect(value(samples, 'polygres_replication_lag_bytes', { instance: 'a-1' })).toBeUndefined();
    expect(value(samples, 'polygres_instance_timeline', { instance: 'b-1' })).toBe(3);
    expect(value(samples, 'polygres_instance_lsn_bytes', { instance: 'a-1' })).toBe(0x3000000);
  });

  it('states backups and WAL archiving', () => {
    expect(value(samples, 'polygres_backup_last_success_timestamp_seconds', { type: 'incr' })).toBe(Date.parse('2026-12-01T11:00:00Z') / 1000);
    expect(value(samples, 'polygres_backup_last_success_timestamp_seconds', { type: 'full' })).toBeUndefined();
    expect(value(samples, 'polygres_backup_last_failure_timestamp_seconds', { type: 'incr' })).toBe(Date.parse('2026-12-01T11:30:00Z') / 1000);
    expect(value(samples, 'polygres_backup_schedule_interval_seconds', { type: 'incr' })).toBe(3600);
    expect(value(samples, 'polygres_backup_schedule_interval_seconds', { type: 'full' })).toBe(7 * 86400);
    expect(value(samples, 'polygres_wal_archive_failures_total')).toBe(2);
    expect(value(samples, 'polygres_wal_archive_last_success_timestamp_seconds')).toBe(Date.parse('2026-12-01T11:59:00Z') / 1000);
  });

  it('takes a backup in the repository over the orchestrators’ record', () => {
    const backups = [{ label: 'x', type: 'full' as const, start: '', stop: '2026-11-29T01:00:05Z', sizeBytes: 0, repoSizeBytes: 0, walStart: null, walStop: null }];
    const withRepository = clusterSamples({ snapshot, history: [], backups, zoneOf, now });
    expect(value(withRepository, 'polygres_backup_last_success_timestamp_seconds', { type: 'full' })).toBe(Date.parse('2026-11-29T01:00:05Z') / 1000);
  });

  it('counts finished elections from the history, with the last failover’s outage', () => {
    const counted = clusterSamples({
      snapshot, backups: undefined, zoneOf, now,
      history: history([{ outageSeconds: 4.2 }, { outcome: 'started' }, { action: 'switchover', outageSeconds: 0.8 }, { outcome: 'failed' }, { outageSeconds: 1.5 }]),
    });
    expect(value(counted, 'polygres_primary_changes_total', { reason: 'failover' })).toBe(2);
    expect(value(counted, 'polygres_primary_changes_total', { reason: 'switchover' })).toBe(1);
    expect(value(counted, 'polygres_last_failover_outage_seconds')).toBe(1.5);
  });

  it('says no rule serves during an election and before the first rule', () => {
    const electing = clusterSamples({ snapshot: { ...snapshot, rule: { value: { ...rule, status: 'electing' }, modRevision: '6' } }, history: [], backups: [], zoneOf, now });
    expect(value(electing, 'polygres_rule_serving')).toBe(0);
    expect(value(clusterSamples({ snapshot: undefined, history: [], backups: [], zoneOf, now }), 'polygres_rule_serving')).toBe(0);
  });
});

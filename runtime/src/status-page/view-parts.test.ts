import { describe, expect, it } from 'vitest';
import type { ClusterStatus, InstanceView } from '../orchestrator/cluster-status';
import type { HistoryEntry } from '../topo/records';
import { archiveFailing, gatewayCard, instanceCards, lagBytes, lastBackupConclusion, recoverableWindow, timeline, zonesOf } from './view-parts';

const entry = (at: string, action: string, outcome: HistoryEntry['outcome'], term = 1, detail = ''): HistoryEntry => ({ at, action, outcome, term, detail, by: 'orchestrator-zone-a' });

function instance(name: string, zone: string, role: InstanceView['role'], lsn: string | null, healthy = true): InstanceView {
  return { name, zone, role, host: '127.0.0.1', port: 1, poolerPort: 2, http: 'http://127.0.0.1:3', healthy, lsn, phase: 'running', syncState: role === 'replica' ? 'quorum' : null, replicationState: role === 'replica' ? 'streaming' : null, error: null };
}

function status(instances: InstanceView[], primary: string | null): ClusterStatus {
  return {
    cluster: 'c', term: 3, primary, policy: null, ruleStatus: 'serving', syncStandbyNames: null, election: null, acceptedTerm: 3,
    instances, gateways: [{ zone: 'zone-c', host: '127.0.0.1', port: 3, replicaPort: 4, http: 'http://127.0.0.1:5', listening: true }], orchestrators: [], problems: [], archive: null,
  };
}

describe('lagBytes', () => {
  it('is the WAL distance from the standby to the primary, across the 32-bit boundary', () => {
    expect(lagBytes('1/0', '0/FFFFFF00')).toBe(256);
    expect(lagBytes('0/3000148', '0/3000148')).toBe(0);
  });

  it('is never negative (the standby read a moment after the primary) and null when a position is unknown', () => {
    expect(lagBytes('0/100', '0/200')).toBe(0);
    expect(lagBytes(null, '0/200')).toBeNull();
    expect(lagBytes('0/100', null)).toBeNull();
    expect(lagBytes('garbage', '0/1')).toBeNull();
  });
});

describe('instanceCards', () => {
  it("measures each standby against the rule's primary, and gives the primary no lag", () => {
    const cards = instanceCards(status([instance('a', 'zone-a', 'primary', '0/5000'), instance('b', 'zone-b', 'replica', '0/4000'), instance('c', 'zone-c', 'replica', null)], 'a'));
    expect(cards.map((card) => [card.name, card.lagBytes])).toEqual([['a', null], ['b', 0x1000], ['c', null]]);
    expect(cards[1]).toMatchObject({ zone: 'zone-b', role: 'replica', syncState: 'quorum', replicationState: 'streaming', healthy: true });
  });

  it('shows no lag while the primary is down: there is nothing to be behind', () => {
    const cards = instanceCards(status([instance('a', 'zone-a', 'primary', '0/5000', false), instance('b', 'zone-b', 'replica', '0/4000')], 'a'));
    expect(cards.map((card) => card.lagBytes)).toEqual([null, null]);
  });

  it('lists zones in the order the layout names them, gateways-only zones last', () => {
    expect(zonesOf(status([instance('b', 'zone-b', 'replica', null), instance('a', 'zone-a', 'primary', null)], 'a'))).toEqual(['zone-b', 'zone-a', 'zone-c']);
  });
});

describe('timeline', () => {
  it('keeps failovers, switchovers, policy changes, backups, restores and rejoins, newest first', () => {
    const entries = timeline([
      entry('2026-01-01T10:00:00Z', 'bootstrap', 'done'),
      entry('2026-01-01T10:01:00Z', 'failover', 'done', 2),
      entry('2026-01-01T10:02:00Z', 'set-durability', 'done', 3),
      entry('2026-01-01T10:03:00Z', 'rejoin', 'done', 3),
      entry('2026-01-01T10:04:00Z', 'backup-full', 'failed', 3),
      entry('2026-01-01T10:05:00Z', 'restore', 'done', 3),
      entry('2026-01-01T10:06:00Z', 'switchover', 'done', 4),
    ]);
    expect(entries.map((e) => [e.kind, e.action])).toEqual([
      ['switchover', 'switchover'], ['restore', 'restore'], ['backup', 'backup-full'], ['rejoin', 'rejoin'], ['policy', 'set-durability'], ['failover', 'failover'],
    ]);
  });

  it("drops an action's started entry once it concluded, and keeps one still running", () => {
    const entries = timeline([
      entry('2026-01-01T10:00:00Z', 'backup-full', 'started', 1, 'from b'),
      entry('2026-01-01T10:00:01Z', 'failover', 'started', 2, 'primary down'),
      entry('2026-01-01T10:00:02Z', 'failover', 'done', 2, 'b is primary'),
      entry('2026-01-01T10:05:00Z', 'backup-full', 'done', 1, 'label from b'),
      entry('2026-01-01T10:06:00Z', 'backup-full', 'started', 2, 'from c'),
    ]);
    expect(entries.map((e) => `${e.action} ${e.outcome} ${e.detail}`)).toEqual(['backup-full started from c', 'backup-full done label from b', 'failover done b is primary']);
  });

  it('orders by time whatever order the store lists, and caps the list', () => {
    const many = Array.from({ length: 80 }, (_, index) => entry(new Date(Date.UTC(2026, 0, 1, 0, index)).toISOString(), 'rejoin', 'done', 80 - index));
    const entries = timeline(many.reverse(), 50);
    expect(entries).toHaveLength(50);
    expect(entries[0]!.at).toBe('2026-01-01T01:19:00.000Z');
  });

  it('names the newest concluded backup, which tells the page to read the repository again', () => {
    expect(lastBackupConclusion([entry('2026-01-01T10:00:00Z', 'backup-full', 'done'), entry('2026-01-01T11:00:00Z', 'backup-incr', 'started'), entry('2026-01-01T09:00:00Z', 'backup-diff', 'failed')])).toBe('2026-01-01T10:00:00Z');
    expect(lastBackupConclusion([entry('2026-01-01T10:00:00Z', 'failover', 'done')])).toBeNull();
  });
});

describe('recoverableWindow', () => {
  const backups = [{ stop: '2026-01-02T00:10:00.000Z' }, { stop: '2026-01-01T00:10:00.000Z' }];

  it("runs from the oldest backup's end to the last archived WAL segment", () => {
    expect(recoverableWindow(backups, '2026-01-03T08:00:00.5+00:00')).toEqual({ from: '2026-01-01T00:10:00.000Z', to: '2026-01-03T08:00:00.500Z' });
    expect(recoverableWindow(backups, '2026-01-03T09:00:00+01:00')).toEqual({ from: '2026-01-01T00:10:00.000Z', to: '2026-01-03T08:00:00.000Z' });
  });

  it("ends at the newest backup's end when nothing was archived after it, and is null without a backup", () => {
    expect(recoverableWindow(backups, null)).toEqual({ from: '2026-01-01T00:10:00.000Z', to: '2026-01-02T00:10:00.000Z' });
    expect(recoverableWindow(backups, '2025-12-31T00:00:00Z')!.to).toBe('2026-01-02T00:10:00.000Z');
    expect(recoverableWindow([], '2026-01-03T08:00:00Z')).toBeNull();
  });

  it('calls archiving failing only when the last failure is newer than the last success', () => {
    const archive = { lastArchivedAt: '2026-01-01T10:00:00Z', ageSeconds: 0, lastFailedAt: '2026-01-01T09:00:00Z', failedCount: 1 };
    expect(archiveFailing(archive)).toBe(false);
    expect(archiveFailing({ ...archive, lastFailedAt: '2026-01-01T11:00:00Z' })).toBe(true);
    expect(archiveFailing({ ...archive, lastArchivedAt: null })).toBe(true);
    expect(archiveFailing(null)).toBe(false);
  });
});

describe('gatewayCard', () => {
  const gateway = { zone: 'zone-a', host: '127.0.0.1', port: 1, replicaPort: 2, http: 'http://127.0.0.1:9', listening: true };

  it("adds up the gateway's pools and counts its sessions", () => {
    const report = { sessions: 7, pools: [{ active: 2, idle: 1, waiting: 0 }, { active: 3, idle: 0, waiting: 4 }] };
    expect(gatewayCard(gateway, report)).toEqual({ zone: 'zone-a', listening: true, clientConnections: 7, serverActive: 5, serverIdle: 1, waiting: 4, error: null });
  });

  it('says why the counts are missing when its HTTP port did not answer', () => {
    expect(gatewayCard({ ...gateway, listening: false }, new Error('fetch failed'))).toEqual({ zone: 'zone-a', listening: false, clientConnections: null, serverActive: null, serverIdle: null, waiting: null, error: 'fetch failed' });
  });
});

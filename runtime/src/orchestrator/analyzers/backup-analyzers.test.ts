import { describe, expect, it } from 'vitest';
import type { InstanceStatus } from '../../postgres/instance-status';
import type { BackupState, ShardRule } from '../../topo/records';
import type { Snapshot } from '../snapshot';
import { archivingFailing } from './archiving-failing';
import { backupDue } from './backup-due';
import { backupFailed } from './backup-failed';

const rule: ShardRule = {
  term: 3, primary: 'a', policy: { policy: 'atLeast', n: 2 }, members: ['a', 'b'], sync: { quorum: 1, standbys: ['b'] },
  pendingSync: null, status: 'serving', election: null, decidedBy: 'o', decidedAt: '2026-01-01T00:00:00Z',
};
const healthy = { healthy: true, role: 'primary', archiver: null } as unknown as InstanceStatus;

function snapshot(at: string, state: BackupState | undefined, primary: Partial<InstanceStatus> = {}): Snapshot {
  return {
    at: Date.parse(at),
    rule: { value: rule, modRevision: '1' },
    statuses: new Map([['a', { ...healthy, ...primary } as InstanceStatus]]),
    backups: { schedule: { full: '0 1 * * 0', diff: '0 1 * * *' }, state: state ? { value: state, modRevision: '2' } : undefined },
  };
}

describe('backup analyzers', () => {
  it('asks for the first full backup as soon as the cluster serves', () => {
    expect(backupDue(snapshot('2026-11-26T12:00:00Z', undefined))[0]?.fix).toEqual({ kind: 'backup', type: 'full' });
  });

  it('follows the schedules: weekly full, daily diff', () => {
    const after = (last: BackupState['last']) => backupDue(snapshot('2026-11-27T01:30:00Z', { last, running: null, lastResult: null }))[0]?.fix;
    expect(after({ full: '2026-11-26T12:00:00Z' })).toEqual({ kind: 'backup', type: 'diff' }); // Friday 01:00 passed
    expect(after({ full: '2026-11-26T12:00:00Z', diff: '2026-11-27T01:10:00Z' })).toBeUndefined();
    expect(after({ full: '2026-11-20T12:00:00Z', diff: '2026-11-27T01:10:00Z' })).toEqual({ kind: 'backup', type: 'full' }); // Sunday 01:00 passed
  });

  it('runs one at a time, takes over an abandoned run, and waits after a failure', () => {
    const running = { by: 'o', type: 'full' as const, since: '2026-11-26T11:59:00Z' };
    expect(backupDue(snapshot('2026-11-26T12:00:00Z', { last: {}, running, lastResult: null }))).toEqual([]);
    expect(backupDue(snapshot('2026-11-27T12:00:00Z', { last: {}, running, lastResult: null }))).toHaveLength(1);
    const failed = { type: 'full' as const, outcome: 'failed' as const, detail: 'no stanza', at: '2026-11-26T11:59:30Z' };
    expect(backupDue(snapshot('2026-11-26T12:00:00Z', { last: {}, running: null, lastResult: failed }))).toEqual([]);
    expect(backupFailed(snapshot('2026-11-26T12:00:00Z', { last: {}, running: null, lastResult: failed }))[0]?.description).toContain('the last full backup failed');
  });

  it('reports archiving that failed since it last succeeded', () => {
    const archiver = (lastFailedAt: string | null, lastArchivedAt: string | null) => ({ failedCount: 3, lastFailedAt, lastArchivedAt, lastFailedWal: '000000010000000000000007' });
    expect(archivingFailing(snapshot('2026-11-26T12:00:00Z', undefined, { archiver: archiver('2026-11-26T11:00:00+00:00', '2026-11-26T10:00:00+00:00') }))[0]?.description).toContain('WAL archiving is failing on a');
    expect(archivingFailing(snapshot('2026-11-26T12:00:00Z', undefined, { archiver: archiver('2026-11-26T10:00:00+00:00', '2026-11-26T11:00:00+00:00') }))).toEqual([]);
  });
});

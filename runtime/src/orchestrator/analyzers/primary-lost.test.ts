import { describe, expect, it } from 'vitest';
import type { InstanceStatus } from '../../postgres/instance-status';
import type { ShardRule } from '../../topo/records';
import type { Snapshot } from '../snapshot';
import { DEAD_PRIMARY_GRACE_MS, primaryPostgresDown, STARTING_PRIMARY_GRACE_MS } from './primary-postgres-down';
import { primaryPoolerUnreachable } from './primary-pooler-unreachable';
import { primaryUnresponsive, UNRESPONSIVE_PRIMARY_GRACE_MS } from './primary-unresponsive';

const at = '2026-12-02T12:00:00.000Z';
const serving: ShardRule = {
  term: 3, primary: 'a', policy: { policy: 'atLeast', n: 2 }, members: ['a', 'b', 'c'], sync: { quorum: 1, standbys: ['b', 'c'] }, pendingSync: null,
  status: 'serving', election: null, decidedBy: 'o', decidedAt: at,
};

function withPrimary(status: Partial<InstanceStatus>): Snapshot {
  return { at: Date.parse(at), rule: { value: serving, modRevision: '4' }, statuses: new Map([['a', { instance: 'a', phase: 'running', postmasterPid: null, healthy: false, ...status } as InstanceStatus]]) };
}

describe('the primary whose Postgres is down', () => {
  it('is failed over a tick after it was first seen dead, unless its pooler is starting it on purpose', () => {
    expect(primaryPostgresDown(withPrimary({ phase: 'running' }))[0]).toMatchObject({ graceMs: DEAD_PRIMARY_GRACE_MS, fix: { kind: 'failover' } });
    expect(primaryPostgresDown(withPrimary({ phase: 'starting' }))[0]?.graceMs).toBe(STARTING_PRIMARY_GRACE_MS);
    expect(DEAD_PRIMARY_GRACE_MS).toBeLessThan(STARTING_PRIMARY_GRACE_MS);
  });

  it('gets a start\'s grace from a pooler that has just started and not yet read the rule (a whole cluster started again)', () => {
    expect(primaryPostgresDown(withPrimary({ phase: 'waiting-for-rule' }))[0]?.graceMs).toBe(STARTING_PRIMARY_GRACE_MS);
  });

  it('is no problem while the postmaster runs', () => {
    expect(primaryPostgresDown(withPrimary({ postmasterPid: 1234 }))).toEqual([]);
  });
});

describe('the primary whose Postgres runs but does not answer', () => {
  it('is failed over after a short grace, unless its pooler is restarting it on purpose (it answers "shutting down", then "starting up")', () => {
    expect(primaryUnresponsive(withPrimary({ postmasterPid: 1234, error: 'timeout' }))[0]).toMatchObject({ graceMs: UNRESPONSIVE_PRIMARY_GRACE_MS, fix: { kind: 'failover' } });
    expect(primaryUnresponsive(withPrimary({ postmasterPid: 1234, phase: 'starting', error: 'the database system is starting up' }))[0]?.graceMs).toBe(STARTING_PRIMARY_GRACE_MS);
    expect(primaryUnresponsive(withPrimary({ postmasterPid: 1234, healthy: true }))).toEqual([]);
  });
});

describe('the primary whose pooler does not answer', () => {
  const standby = (name: string, status: Partial<InstanceStatus>) => [name, { instance: name, phase: 'running', postmasterPid: 2000, healthy: true, walReceiver: 'streaming', ...status } as InstanceStatus] as const;
  const snapshot = (...standbys: ReturnType<typeof standby>[]): Snapshot => ({ at: Date.parse(at), rule: { value: serving, modRevision: '4' }, statuses: new Map(standbys) });

  it('is failed over once every standby whose Postgres runs has lost its stream', () => {
    expect(primaryPoolerUnreachable(snapshot(standby('b', { walReceiver: null }), standby('c', { walReceiver: null })))[0]).toMatchObject({ key: 'primary-node-lost:a', fix: { kind: 'failover' } });
  });

  it('is only reported while a standby still streams from its Postgres', () => {
    expect(primaryPoolerUnreachable(snapshot(standby('b', { walReceiver: 'streaming' }), standby('c', { walReceiver: null })))[0]).toMatchObject({ fix: { kind: 'report' } });
  });

  it('is only reported while no standby runs Postgres yet (a whole cluster started again, the primary\'s pooler a moment slower)', () => {
    const starting = { phase: 'waiting-for-rule', postmasterPid: null, healthy: false, walReceiver: null } as const;
    expect(primaryPoolerUnreachable(snapshot(standby('b', starting), standby('c', starting)))[0]).toMatchObject({ fix: { kind: 'report' } });
  });
});

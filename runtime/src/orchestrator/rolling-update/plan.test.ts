import { describe, expect, it } from 'vitest';
import type { InstanceStatus } from '../../postgres/instance-status';
import type { ShardRule } from '../../topo/records';
import type { Problem } from '../analyzers';
import type { Snapshot } from '../snapshot';
import { instancePods } from './driver';
import { type InstancePod, nextRolloutStep } from './plan';

const rule: ShardRule = {
  term: 4, primary: 'a', policy: { policy: 'atLeast', n: 2 }, members: ['a', 'b', 'c'], sync: { quorum: 1, standbys: ['b', 'c'] },
  pendingSync: null, status: 'serving', election: null, decidedBy: 'o', decidedAt: '2026-01-01T00:00:00Z',
};

function snapshot(overrides: Partial<Record<'a' | 'b' | 'c', Partial<InstanceStatus> | undefined>> = {}, status: ShardRule['status'] = 'serving'): Snapshot {
  const report = (name: string, role: 'primary' | 'replica'): InstanceStatus | undefined => {
    if (name in overrides && overrides[name as 'a'] === undefined) return undefined;
    return { instance: name, role, walReceiver: role === 'replica' ? 'streaming' : null, ...overrides[name as 'a'] } as InstanceStatus;
  };
  return { at: 0, rule: { value: { ...rule, status }, modRevision: '1' }, statuses: new Map([['a', report('a', 'primary')], ['b', report('b', 'replica')], ['c', report('c', 'replica')]]) };
}

const pod = (instance: string, upToDate: boolean, more: Partial<InstancePod> = {}): InstancePod => ({ instance, pod: `orders-${instance}-0`, upToDate, ready: true, terminating: false, ...more });

describe('rolling update order', () => {
  it('restarts out-of-date standbys one at a time before touching the primary', () => {
    expect(nextRolloutStep([pod('a', false), pod('b', false), pod('c', false)], snapshot(), [])).toEqual({ kind: 'restart', instance: 'b', pod: 'orders-b-0' });
    expect(nextRolloutStep([pod('a', false), pod('b', true), pod('c', false)], snapshot(), [])).toEqual({ kind: 'restart', instance: 'c', pod: 'orders-c-0' });
  });

  it('switches over to an up-to-date member once only the primary is out of date, then restarts the old primary', () => {
    expect(nextRolloutStep([pod('a', false), pod('b', true), pod('c', true)], snapshot(), [])).toEqual({ kind: 'switchover', from: 'a', to: 'b' });
    const afterSwitchover: Snapshot = { ...snapshot({ a: { role: 'replica', walReceiver: 'streaming' }, b: { role: 'primary', walReceiver: null } }), rule: { value: { ...rule, primary: 'b', term: 5 }, modRevision: '2' } };
    expect(nextRolloutStep([pod('a', false), pod('b', true), pod('c', true)], afterSwitchover, [])).toEqual({ kind: 'restart', instance: 'a', pod: 'orders-a-0' });
    expect(nextRolloutStep([pod('a', true), pod('b', true), pod('c', true)], afterSwitchover, [])).toEqual({ kind: 'up-to-date' });
  });

  it('waits while any copy is missing: a pod restarting or not Ready, a standby not streaming, a pooler silent, an election or a failover pending', () => {
    const outdated = [pod('a', false), pod('b', false), pod('c', true)];
    const waits = (pods: InstancePod[], look: Snapshot, problems: Problem[] = []) => nextRolloutStep(pods, look, problems).kind;
    expect(waits([pod('a', false), pod('b', false), pod('c', true, { terminating: true })], snapshot())).toBe('wait');
    expect(waits([pod('a', false), pod('b', false), pod('c', true, { ready: false })], snapshot())).toBe('wait');
    expect(waits([pod('a', false), pod('b', false), { instance: 'c', upToDate: true, ready: false, terminating: false }], snapshot())).toBe('wait');
    expect(waits(outdated, snapshot({ c: { walReceiver: 'catchup' } }))).toBe('wait');
    expect(waits(outdated, snapshot({ c: undefined }))).toBe('wait');
    expect(waits(outdated, snapshot({}, 'electing'))).toBe('wait');
    expect(waits(outdated, snapshot(), [{ key: 'k', description: 'primary a unresponsive', graceMs: 0, fix: { kind: 'failover', reason: 'r' } } as Problem])).toBe('wait');
    // A report-only problem (a backup overdue) does not hold the update.
    expect(waits(outdated, snapshot(), [{ key: 'k', description: 'backup failed', graceMs: 0, fix: { kind: 'report' } } as Problem])).toBe('restart');
  });

  it('reads each pod against its StatefulSet: the revision label, readiness, and deletion', () => {
    const labels = (instance: string, revision: string) => ({ 'polygres.dev/instance': instance, 'controller-revision-hash': revision });
    const sets = ['a', 'b'].map((instance) => ({ metadata: { name: `orders-${instance}`, labels: labels(instance, '') }, status: { updateRevision: `orders-${instance}-new` } }));
    const pods = [
      { metadata: { name: 'orders-a-0', labels: labels('a', 'orders-a-old') }, status: { conditions: [{ type: 'Ready', status: 'True' }] } },
      { metadata: { name: 'orders-b-0', labels: labels('b', 'orders-b-new'), deletionTimestamp: '2026-12-02T00:00:00Z' }, status: { conditions: [{ type: 'Ready', status: 'False' }] } },
    ];
    expect(instancePods(['a', 'b', 'c'], sets, pods)).toEqual([
      { instance: 'a', pod: 'orders-a-0', upToDate: false, ready: true, terminating: false },
      { instance: 'b', pod: 'orders-b-0', upToDate: true, ready: false, terminating: true },
      { instance: 'c', upToDate: true, ready: false, terminating: false },
    ]);
  });
});

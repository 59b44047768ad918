import { describe, expect, it } from 'vitest';
import type { InstanceStatus } from '../postgres/instance-status';
import type { ShardRule } from '../topo/records';
import { livenessVerdict, parseLagBound, primaryVerdict, readinessVerdict, replicaVerdict } from './health-checks';

const now = Date.parse('2026-12-01T12:00:00Z');
function status(overrides: Partial<InstanceStatus>): InstanceStatus {
  return {
    instance: 'b-1', zone: 'b', phase: 'running', role: 'replica', healthy: true, postmasterPid: 1, lsn: '0/3000000', receiveLsn: '0/3000000',
    walReceiver: 'streaming', upstream: 'a:5432', replication: [], syncStandbyNames: null, ruleTerm: 2, timeline: 1, archiver: null,
    acceptedTerm: 2, error: null, checkedAt: new Date(now).toISOString(), ...overrides,
  };
}
const rule = { term: 2, primary: 'a-1', status: 'serving', members: ['a-1', 'b-1'] } as unknown as ShardRule;

describe('primary check', () => {
  it('answers ok only on the serving rule’s primary, out of recovery', () => {
    expect(primaryVerdict(status({ instance: 'a-1', role: 'primary' }), rule)).toMatchObject({ ok: true, term: 2 });
    expect(primaryVerdict(status({ instance: 'b-1', role: 'primary' }), rule)).toEqual({ ok: false, reason: 'the primary is a-1' });
    expect(primaryVerdict(status({ instance: 'a-1', role: 'replica' }), rule)).toMatchObject({ ok: false, reason: 'postgres is still in recovery' });
  });

  it('answers no during an election, on every instance', () => {
    expect(primaryVerdict(status({ instance: 'a-1', role: 'primary' }), { ...rule, status: 'electing' })).toEqual({ ok: false, reason: 'the rule is electing' });
    expect(primaryVerdict(status({ instance: 'a-1', role: 'primary' }), undefined)).toEqual({ ok: false, reason: 'no rule yet' });
  });
});

describe('replica check', () => {
  it('needs a streaming standby', () => {
    expect(replicaVerdict(status({}), rule, undefined)).toEqual({ ok: true, role: 'replica' });
    expect(replicaVerdict(status({ walReceiver: null }), rule, undefined)).toMatchObject({ ok: false, reason: 'not streaming (wal receiver: none)' });
    expect(replicaVerdict(status({ role: 'primary' }), rule, undefined)).toMatchObject({ ok: false });
    expect(replicaVerdict(status({ healthy: false, error: 'timeout' }), rule, undefined)).toMatchObject({ ok: false, reason: 'postgres is not healthy: timeout' });
  });

  it('holds a lag bound against the primary’s position', () => {
    expect(replicaVerdict(status({ lsn: '0/3000000' }), rule, { maxLagBytes: 1024, primaryLsn: '0/3000400' })).toEqual({ ok: true, role: 'replica', lagBytes: 1024 });
    expect(replicaVerdict(status({ lsn: '0/3000000' }), rule, { maxLagBytes: 1023, primaryLsn: '0/3000400' })).toEqual({ ok: false, reason: 'lag 1024 bytes is above 1023' });
    expect(replicaVerdict(status({}), rule, { maxLagBytes: 1024, primaryLsn: null })).toMatchObject({ ok: false });
  });
});

describe('liveness and readiness', () => {
  it('fails liveness only when the pooler’s own checks stall', () => {
    expect(livenessVerdict(status({ healthy: false }), now + 1_000)).toEqual({ ok: true });
    expect(livenessVerdict(status({}), now + 60_000)).toMatchObject({ ok: false });
  });

  it('is ready only while running and healthy', () => {
    expect(readinessVerdict(status({}))).toMatchObject({ ok: true });
    expect(readinessVerdict(status({ phase: 'cloning' }))).toEqual({ ok: false, reason: 'phase cloning' });
    expect(readinessVerdict(status({ healthy: false }))).toMatchObject({ ok: false });
  });
});

describe('lag bound', () => {
  it('reads bytes and Postgres memory units', () => {
    expect(parseLagBound('1048576')).toBe(1048576);
    expect(parseLagBound('16MB')).toBe(16 * 1024 * 1024);
    expect(parseLagBound('512kB')).toBe(512 * 1024);
    expect(() => parseLagBound('16 parsecs')).toThrow(/lag=16MB/);
    expect(() => parseLagBound('-1')).toThrow(/not a size/);
  });
});

import { describe, expect, it } from 'vitest';
import type { ShardRule } from '../../topo/records';
import type { Snapshot } from '../snapshot';
import { staleElection } from './stale-election';

const startedAt = '2026-12-02T12:00:00.000Z';
const electing: ShardRule = {
  term: 7, primary: 'a', policy: { policy: 'atLeast', n: 2 }, members: ['a', 'b', 'c'], sync: { quorum: 1, standbys: ['b', 'c'] }, pendingSync: null,
  status: 'electing', election: { term: 8, kind: 'switchover', reason: 'switchover requested', by: 'orchestrator-zone-a', startedAt }, decidedBy: 'o', decidedAt: startedAt,
};

function look(ageMs: number, electionHeld: boolean | undefined, electionHolder?: Snapshot['electionHolder']): Snapshot {
  return {
    at: Date.parse(startedAt) + ageMs,
    rule: { value: electing, modRevision: '9' },
    statuses: new Map(),
    ...(electionHeld !== undefined ? { electionHeld } : {}),
    ...(electionHolder !== undefined ? { electionHolder } : {}),
  };
}

describe('stale elections', () => {
  it('takes over at once an election whose orchestrator is gone (its lease lapsed), after the moment the holder needs to take it', () => {
    expect(staleElection(look(500, false))[0]?.fix.kind).toBe('report');
    const [problem] = staleElection(look(1_500, false));
    // A switchover taken over still moves the primary away.
    expect(problem?.fix).toEqual({ kind: 'failover', reason: 'taking over the election of term 8, abandoned by orchestrator-zone-a', exclude: ['a'] });
    expect(problem?.description).toContain('orchestrator-zone-a, which ran it, is gone');
  });

  it('takes over at once when the orchestrator says it no longer runs it (refused, or restarted without it), before its lease lapses', () => {
    expect(staleElection(look(1_200, true, 'gone'))[0]?.fix.kind).toBe('failover');
    expect(staleElection(look(400, true, 'gone'))[0]?.fix.kind).toBe('report');
    expect(staleElection(look(5_000, true, 'running'))[0]?.fix.kind).toBe('report');
    expect(staleElection(look(5_000, true, 'unknown'))[0]?.fix.kind).toBe('report');
  });

  it('leaves a held election to its orchestrator until the timeout, and falls back on the timeout when etcd does not say', () => {
    expect(staleElection(look(5_000, true))[0]?.fix.kind).toBe('report');
    expect(staleElection(look(5_000, undefined))[0]?.fix.kind).toBe('report');
    expect(staleElection(look(10_500, true))[0]?.fix).toEqual({ kind: 'failover', reason: 'taking over the unfinished election of term 8', exclude: ['a'] });
  });
});

/**
 * Bootstrap against the in-memory topology store: orchestrators racing to create the first
 * rule create one, and it becomes serving only once the primary reports it written durably.
 */
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { InstanceStatus } from '../postgres/instance-status';
import { defaultSpec } from '../spec/defaults';
import { MemoryTopoStore } from '../topo/memory-topo-store';
import { completeBootstrap, ensureRule } from './bootstrap';

const log = pino({ level: 'silent' });

describe('bootstrap', () => {
  it('creates one first rule however many orchestrators race for it', async () => {
    const topo = new MemoryTopoStore();
    const spec = defaultSpec();
    await Promise.all(['orchestrator-zone-a', 'orchestrator-zone-b', 'orchestrator-zone-c'].map((me) => ensureRule(topo, spec, me, log)));
    const rule = (await topo.getRule())!.value;
    expect(rule).toMatchObject({ term: 1, primary: 'zone-a-0', status: 'bootstrapping', decidedBy: 'orchestrator-zone-a' });
    expect(rule.members).toEqual(['zone-a-0', 'zone-b-0', 'zone-c-0']);
  });

  it('serves only once the primary reports the rule written, as primary', async () => {
    const topo = new MemoryTopoStore();
    await ensureRule(topo, defaultSpec(), 'orchestrator-zone-a', log);
    const status = (ruleTerm: number | null, role: InstanceStatus['role']) => async () => ({ ruleTerm, role }) as InstanceStatus;
    expect(await completeBootstrap(topo, status(null, 'primary'), 'orchestrator-zone-b', log)).toBe(false);
    expect(await completeBootstrap(topo, status(1, 'replica'), 'orchestrator-zone-b', log)).toBe(false);
    expect((await topo.getRule())!.value.status).toBe('bootstrapping');
    expect(await completeBootstrap(topo, status(1, 'primary'), 'orchestrator-zone-b', log)).toBe(true);
    expect((await topo.getRule())!.value).toMatchObject({ status: 'serving', decidedBy: 'orchestrator-zone-b' });
    // Done once: a second orchestrator finds nothing left to do.
    expect(await completeBootstrap(topo, status(1, 'primary'), 'orchestrator-zone-c', log)).toBe(false);
  });

  it('takes terms by compare-and-swap: of two orchestrators reading the same rule, one wins', async () => {
    const topo = new MemoryTopoStore();
    await ensureRule(topo, defaultSpec(), 'orchestrator-zone-a', log);
    const read = (await topo.getRule())!;
    const election = (by: string) => ({ kind: 'failover' as const, reason: 'the primary is down', by, startedAt: new Date().toISOString() });
    const [first, second] = await Promise.all([topo.beginElection(read, election('orchestrator-zone-a')), topo.beginElection(read, election('orchestrator-zone-b'))]);
    expect([first, second].filter((won) => won !== undefined)).toHaveLength(1);
    expect((await topo.getRule())!.value.election?.term).toBe(2);
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { clientLimitsSchema } from '../spec/schema';
import { ClientLimits, LONG_WAIT_MS, type LimitedSession } from './client-limits';
import { ClientMemoryBudget, FREE_BYTES_PER_SESSION } from './client-memory-budget';

/** A session as the limits see it, recording how it was ended. */
function session(openedAt = 0): LimitedSession & { ended?: { code: string; message: string }; idleInTransactionSince: number; stalledSince: number; awaitingServer: boolean; serverMessages: number } {
  return {
    openedAt,
    idleInTransactionSince: 0,
    stalledSince: 0,
    startedLogin: false,
    awaitingServer: false,
    serverMessages: 0,
    describeWait: () => ({ owed: ['forward:ready'] }),
    endForLimit(code, message) {
      this.ended = { code, message };
    },
  };
}

describe('ClientLimits', () => {
  const made: ClientLimits[] = [];
  const limits = (options: Record<string, number> = {}) => {
    const created = new ClientLimits(clientLimitsSchema.parse(options), 'gateway');
    made.push(created);
    return created;
  };
  afterEach(() => {
    for (const one of made.splice(0)) one.close();
  });

  it('closes the oldest connection still logging in to make room for a new one', () => {
    const edge = limits({ maxPendingLogins: 2 });
    const [a, b, c] = [session(), session(), session()];
    expect(edge.opened(a)).toBeUndefined();
    expect(edge.opened(b)).toBeUndefined();
    expect(edge.opened(c)).toBeUndefined();
    expect(a.ended).toMatchObject({ code: '53300', message: expect.stringContaining('too many clients are logging in at once') });
    expect(b.ended).toBeUndefined();
    expect(edge.pendingLogins).toBe(2);
    expect(edge.counts.get('pending_logins_full')).toBe(1);
  });

  it('makes room by closing a connection that has sent nothing before one that is logging in', () => {
    const edge = limits({ maxPendingLogins: 2 });
    const [busy, silent, newcomer, another] = [session(), session(), session(), session()];
    edge.opened(busy);
    edge.loginStarted(busy); // sent its StartupMessage: in the middle of SCRAM
    edge.opened(silent);
    edge.opened(newcomer);
    expect(silent.ended).toMatchObject({ code: '53300' });
    expect(busy.ended).toBeUndefined();
    edge.loginStarted(newcomer);
    // Everyone still pending is logging in: then the oldest makes room.
    edge.opened(another);
    expect(busy.ended).toMatchObject({ code: '53300' });
    expect(newcomer.ended).toBeUndefined();
  });

  it('refuses logins past the cap in all and per user, exempts trusted links, and frees a slot when a session ends', () => {
    const edge = limits({ maxClientConnections: 3, maxConnectionsPerUser: 2 });
    const sessions = [session(), session(), session(), session()];
    for (const one of sessions) edge.opened(one);
    expect(edge.loggedInAs(sessions[0]!, 'alice', true)).toBeUndefined();
    expect(edge.loggedInAs(sessions[1]!, 'alice', true)).toBeUndefined();
    expect(edge.loggedInAs(sessions[2]!, 'alice', true)).toMatch(/too many connections for role "alice"/);
    expect(edge.loggedInAs(sessions[2]!, 'bob', true)).toBeUndefined();
    expect(edge.loggedInAs(sessions[3]!, 'bob', true)).toMatch(/too many clients already/);
    // A gateway's session at a pooler is counted by the gateway, not here.
    expect(edge.loggedInAs(session(), 'carol', false)).toBeUndefined();
    expect(edge.opened(session())).toMatch(/too many clients already/);
    edge.ended(sessions[0]!);
    expect(edge.loggedInAs(sessions[3]!, 'alice', true)).toBeUndefined();
    expect(edge.counts.get('max_connections_per_user')).toBe(1);
    expect(edge.counts.get('max_client_connections')).toBe(2);
  });

  it('ends logins past the login timeout, oldest first, and nothing younger', () => {
    const edge = limits({ loginTimeoutMs: 1_000 });
    const [old, young] = [session(0), session(900)];
    edge.opened(old);
    edge.opened(young);
    edge.sweep(1_000);
    expect(old.ended).toMatchObject({ code: '57014' });
    expect(young.ended).toBeUndefined();
    expect(edge.pendingLogins).toBe(1);
  });

  it('ends sessions idle in a transaction or stalled past their timeouts', () => {
    const edge = limits({ idleInTransactionTimeoutMs: 500, slowClientTimeoutMs: 700 });
    const [idle, stalled, busy] = [session(), session(), session()];
    for (const one of [idle, stalled, busy]) {
      edge.opened(one);
      edge.loggedInAs(one, 'app', true);
    }
    idle.idleInTransactionSince = 100;
    stalled.stalledSince = 100;
    busy.idleInTransactionSince = 550;
    edge.sweep(700);
    expect(idle.ended).toMatchObject({ code: '25P03' });
    expect(stalled.ended).toBeUndefined();
    expect(busy.ended).toBeUndefined();
    edge.sweep(800);
    expect(stalled.ended).toMatchObject({ code: '08006' });
    expect(busy.ended).toBeUndefined();
  });

  it('never times out idle sessions when the timeout is 0', () => {
    const edge = limits({ idleInTransactionTimeoutMs: 0 });
    const idle = session();
    edge.opened(idle);
    edge.loggedInAs(idle, 'app', true);
    idle.idleInTransactionSince = 1;
    edge.sweep(10_000_000);
    expect(idle.ended).toBeUndefined();
  });
});

describe('ClientMemoryBudget', () => {
  const waiter = () => ({ freed: 0, budgetFreed() {
    this.freed += 1;
  } });

  it('charges only bytes beyond each session’s free share', () => {
    const budget = new ClientMemoryBudget(1024 * 1024);
    const small = waiter();
    expect(budget.charge(small, 0, FREE_BYTES_PER_SESSION)).toEqual({ charged: 0, mayRead: true });
    expect(budget.charged).toBe(0);
    expect(budget.charge(small, 0, FREE_BYTES_PER_SESSION + 100)).toEqual({ charged: 100, mayRead: true });
    expect(budget.charged).toBe(100);
  });

  it('stops sessions past the limit and wakes them, oldest first, as bytes are given back', () => {
    const budget = new ClientMemoryBudget(1_000);
    const [a, b, c] = [waiter(), waiter(), waiter()];
    const over = (bytes: number) => FREE_BYTES_PER_SESSION + bytes;
    const first = budget.charge(a, 0, over(900));
    expect(first.mayRead).toBe(true);
    const second = budget.charge(b, 0, over(200));
    expect(second.mayRead).toBe(false);
    const third = budget.charge(c, 0, over(100));
    expect(third.mayRead).toBe(false);
    expect(budget.waiting).toBe(2);
    // a sends its message on: everything it held goes back, and the waiting sessions are told.
    budget.charge(a, first.charged, 0);
    expect([b.freed, c.freed]).toEqual([1, 1]);
    expect(budget.waiting).toBe(0);
    budget.forget(b, second.charged);
    budget.forget(c, third.charged);
    expect(budget.charged).toBe(0);
    expect(budget.hasRoom(1_000)).toBe(true);
    expect(budget.hasRoom(1_001)).toBe(false);
  });
  it('reports once a session that has waited a minute with no message from its server, and not one whose answers keep coming', () => {
    const reports: { waitedMs: number; wait: Record<string, unknown> }[] = [];
    const edge = new ClientLimits(clientLimitsSchema.parse({}), 'gateway', (waiting, waitedMs) => reports.push({ waitedMs, wait: waiting.describeWait() }));
    const [stuck, streaming, idle] = [session(), session(), session()];
    for (const one of [stuck, streaming, idle]) edge.loggedInAs(one, 'app', true);
    stuck.awaitingServer = true;
    streaming.awaitingServer = true;
    for (let second = 0; second <= 3 * LONG_WAIT_MS / 1000; second++) {
      streaming.serverMessages += 1; // a long COPY out, say: answers keep coming
      edge.sweep(second * 1000);
    }
    edge.close();
    expect(reports).toEqual([{ waitedMs: LONG_WAIT_MS, wait: { owed: ['forward:ready'] } }]);
  });
});

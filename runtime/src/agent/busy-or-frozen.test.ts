import { describe, expect, it } from 'vitest';
import { BUSY_GRACE_MS, BusyOrFrozen } from './busy-or-frozen';
import { type PostgresHealth, unhealthy } from '../postgres/postgres-probe';

const good: PostgresHealth = { ...unhealthy(''), healthy: true, inRecovery: false, lsn: '0/10', error: null };
const timeout = unhealthy('health query: deadline of 1600 ms passed');

describe('BusyOrFrozen', () => {
  it('keeps a running but slow primary healthy (marked busy) until the grace runs out', () => {
    const verdict = new BusyOrFrozen(() => false);
    expect(verdict.judge(good, 42, 0)).toBe(good);
    const busy = verdict.judge(timeout, 42, 1_000);
    expect(busy.healthy).toBe(true);
    expect(busy.lsn).toBe('0/10');
    expect(busy.error).toMatch(/^busy: health query/);
    expect(verdict.judge(timeout, 42, 1_000 + BUSY_GRACE_MS - 1).healthy).toBe(true);
    const wedged = verdict.judge(timeout, 42, 1_000 + BUSY_GRACE_MS);
    expect(wedged.healthy).toBe(false);
    expect(wedged.error).toMatch(/runs but has not answered health queries for 10000 ms/);
  });

  it('counts a stopped postmaster as down at once', () => {
    const verdict = new BusyOrFrozen((pid) => pid === 42);
    verdict.judge(good, 42, 0);
    const frozen = verdict.judge(timeout, 42, 300);
    expect(frozen.healthy).toBe(false);
    expect(frozen.error).toMatch(/frozen \(its postmaster is stopped\)/);
  });

  it('gives no grace without a postmaster, or before any good answer', () => {
    const verdict = new BusyOrFrozen(() => false);
    expect(verdict.judge(timeout, 42, 0).healthy).toBe(false);
    verdict.judge(good, 42, 10);
    expect(verdict.judge(unhealthy('postgres is not running'), undefined, 20).healthy).toBe(false);
  });

  it('starts the grace again after a good answer', () => {
    const verdict = new BusyOrFrozen(() => false);
    verdict.judge(good, 42, 0);
    verdict.judge(timeout, 42, 1_000);
    verdict.judge(good, 42, 1_000 + BUSY_GRACE_MS - 100);
    expect(verdict.judge(timeout, 42, 1_000 + BUSY_GRACE_MS + 50).healthy).toBe(true);
  });
});

describe('BusyOrFrozen across a restart', () => {
  it('gives no grace to a postmaster other than the one that answered last (a restart): it has not served yet', () => {
    const verdict = new BusyOrFrozen(() => false);
    verdict.judge(good, 42, 0);
    const restarted = verdict.judge(timeout, 43, 300);
    expect(restarted.healthy).toBe(false);
    expect(restarted.error).toBe(timeout.error);
  });

  it('counts "the database system is starting up" or "shutting down" as down at once, even from the same postmaster', () => {
    for (const words of ['the database system is starting up', 'the database system is shutting down', 'the database system is in recovery mode']) {
      const verdict = new BusyOrFrozen(() => false);
      verdict.judge(good, 42, 0);
      const answer = verdict.judge(unhealthy(words), 42, 300);
      expect(answer.healthy, words).toBe(false);
      expect(answer.error).toBe(words);
    }
  });
});

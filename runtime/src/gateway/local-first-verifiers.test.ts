import { afterEach, describe, expect, it, vi } from 'vitest';
import { LocalFirstVerifiers } from './verifier-client';

describe('a gateway with its zone\'s Postgres on its host reads verifiers there first', () => {
  afterEach(() => vi.useRealTimers());

  it('reads from that Postgres, and does not ask the poolers', async () => {
    const poolers = vi.fn(async () => 'from a pooler');
    const verifiers = new LocalFirstVerifiers(async (user) => `local ${user}`, poolers);
    expect(await verifiers.lookup('alice')).toBe('local alice');
    // No such role is an answer too, not a reason to ask elsewhere.
    expect(await new LocalFirstVerifiers(async () => undefined, poolers).lookup('nobody')).toBeUndefined();
    expect(poolers).not.toHaveBeenCalled();
  });

  it('asks the poolers when that Postgres fails, and keeps asking them for a while before trying it again', async () => {
    vi.useFakeTimers();
    const local = vi.fn(async (): Promise<string> => {
      throw new Error('connect ENOENT');
    });
    const verifiers = new LocalFirstVerifiers(local, async () => 'from a pooler');
    expect(await verifiers.lookup('alice')).toBe('from a pooler');
    expect(await verifiers.lookup('alice')).toBe('from a pooler');
    expect(local).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(5_001);
    expect(await verifiers.lookup('alice')).toBe('from a pooler');
    expect(local).toHaveBeenCalledTimes(2);
  });

  it('asks the poolers when that Postgres does not answer (frozen), without waiting for it', async () => {
    vi.useFakeTimers();
    const verifiers = new LocalFirstVerifiers(() => new Promise<string>(() => undefined), async () => 'from a pooler');
    const answer = verifiers.lookup('alice');
    await vi.advanceTimersByTimeAsync(1_000);
    expect(await answer).toBe('from a pooler');
  });
});

import { describe, expect, it } from 'vitest';
import type { StanzaInfo } from '../backup/pgbackrest-runner';
import { BackupCache } from './backup-cache';

const info = (label: string): StanzaInfo => ({ status: 'ok', walMin: null, walMax: null, backups: [{ label, type: 'full', start: '2026-01-01T00:00:00.000Z', stop: '2026-01-01T00:01:00.000Z', sizeBytes: 1, repoSizeBytes: 1, walStart: null, walStop: null }] });

/** A repository whose answers the test scripts, counting the reads and whom they asked. */
function repository(answers: Array<StanzaInfo | Error>) {
  const asked: Array<string | null> = [];
  return {
    asked,
    read: async (primary: string | null) => {
      asked.push(primary);
      const answer = answers.shift() ?? new Error('no more answers');
      if (answer instanceof Error) throw answer;
      return answer;
    },
  };
}

describe('BackupCache', () => {
  it('reads the repository once, then again only after the refresh time', async () => {
    let now = 1_000_000;
    const repo = repository([info('first'), info('second')]);
    const cache = new BackupCache(repo.read, 30_000, () => now);
    expect(cache.current(null, 'a').info).toBeNull(); // the first read runs in the background
    await cache.settled();
    expect(cache.current(null, 'a').info?.backups[0]?.label).toBe('first');
    now += 29_000;
    cache.current(null, 'a');
    await cache.settled();
    expect(repo.asked).toEqual(['a']);
    now += 1_000;
    cache.current(null, 'b');
    await cache.settled();
    expect(repo.asked).toEqual(['a', 'b']);
    expect(cache.current(null, 'b').info?.backups[0]?.label).toBe('second');
  });

  it('reads again at once when the history shows a backup concluded', async () => {
    const repo = repository([info('before'), info('after')]);
    const cache = new BackupCache(repo.read, 30_000, () => 5);
    cache.current('2026-01-01T00:00:00Z', 'a');
    await cache.settled();
    cache.current('2026-01-01T00:00:00Z', 'a');
    await cache.settled();
    expect(repo.asked).toHaveLength(1);
    cache.current('2026-01-01T01:00:00Z', 'a');
    await cache.settled();
    expect(repo.asked).toHaveLength(2);
    expect(cache.current('2026-01-01T01:00:00Z', 'a').info?.backups[0]?.label).toBe('after');
  });

  it('keeps the last list when a read fails, and says why', async () => {
    let now = 0;
    const repo = repository([info('kept'), new Error('pooler restarting')]);
    const cache = new BackupCache(repo.read, 10, () => now);
    cache.current(null, null);
    await cache.settled();
    now = 100;
    cache.current(null, null);
    await cache.settled();
    const reading = cache.current(null, null);
    expect(reading.info?.backups[0]?.label).toBe('kept');
    expect(reading.error).toBe('pooler restarting');
  });
});

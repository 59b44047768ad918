import { afterEach, describe, expect, it, vi } from 'vitest';
import { reportBackupProgress } from '../cli/backup-progress';
import { backupProgressOf } from './pgbackrest-runner';

describe('backup progress', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('reads the percentage from pgBackRest info text (2.45), and null when no backup runs', () => {
    expect(backupProgressOf('stanza: pt-0-inf\n    status: ok (backup/expire running - 6.41% complete)\n    cipher: none\n')).toBe(6.41);
    expect(backupProgressOf('stanza: pt-0-inf\n    status: ok (backup/expire running)\n')).toBeNull();
    expect(backupProgressOf('stanza: pt-0-inf\n    status: ok\n')).toBeNull();
  });

  it('prints each new percentage once, skips failed polls, and stops printing when stopped', async () => {
    vi.useFakeTimers();
    const answers: ({ percent: number | null } | Error)[] = [{ percent: null }, { percent: 10 }, { percent: 10 }, new Error('pooler restarting'), { percent: 55.55 }, { percent: 90 }];
    const lines: string[] = [];
    const progress = reportBackupProgress(async () => {
      const next = answers.shift()!;
      if (next instanceof Error) throw next;
      return next;
    }, (line) => lines.push(line));
    for (let i = 0; i < 5; i++) await vi.advanceTimersByTimeAsync(2_000);
    progress.stop();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(lines).toEqual(['  10% copied', '  55.55% copied']);
  });
});

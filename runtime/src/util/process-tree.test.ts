import { spawn } from 'node:child_process';
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cpuSecondsOf, cpuTimesOf, postgresProcessesIn } from './process-tree';
import { sleep } from './net';

describe('cpuSecondsOf', () => {
  it('counts the CPU a process spends, and is 0 for a process that is gone', () => {
    const before = cpuSecondsOf(process.pid);
    const until = process.cpuUsage();
    // Spin until this process has used a quarter of a second more CPU (well above the 10 ms ticks).
    while ((process.cpuUsage(until).user + process.cpuUsage(until).system) / 1e6 < 0.25);
    expect(cpuSecondsOf(process.pid) - before).toBeGreaterThanOrEqual(0.2);
    expect(cpuSecondsOf(2 ** 22 + 1)).toBe(0); // above pid_max: never a process
  });

  it('tells user-space time from the kernel\'s: a loop of arithmetic is user time', () => {
    const before = cpuTimesOf(process.pid);
    const until = process.cpuUsage();
    while (process.cpuUsage(until).user / 1e6 < 0.25);
    const after = cpuTimesOf(process.pid);
    expect(after.user - before.user).toBeGreaterThanOrEqual(0.2);
    expect(after.system).toBeGreaterThanOrEqual(before.system);
    expect(cpuTimesOf(2 ** 22 + 1)).toEqual({ user: 0, system: 0 });
  });
});

describe('postgresProcessesIn', () => {
  it('finds the processes titled postgres that work in a data directory, whoever their parent, and nothing else there', async () => {
    const dir = realpathSync(mkdtempSync(join(tmpdir(), 'polygres-pgdata-')));
    // A backend as Postgres titles it, and a shell an operator left in the directory.
    const backend = spawn('bash', ['-c', 'exec -a "postgres: zone-a-0: postgres postgres idle" sleep 5'], { cwd: dir, stdio: 'ignore' });
    const operator = spawn('sleep', ['5'], { cwd: dir, stdio: 'ignore' });
    try {
      await sleep(200);
      expect(postgresProcessesIn(dir)).toEqual([backend.pid]);
      expect(postgresProcessesIn(tmpdir())).not.toContain(backend.pid);
    } finally {
      backend.kill('SIGKILL');
      operator.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

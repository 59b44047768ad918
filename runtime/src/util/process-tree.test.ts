import { describe, expect, it } from 'vitest';
import { cpuSecondsOf } from './process-tree';

describe('cpuSecondsOf', () => {
  it('counts the CPU a process spends, and is 0 for a process that is gone', () => {
    const before = cpuSecondsOf(process.pid);
    const until = process.cpuUsage();
    // Spin until this process has used a quarter of a second more CPU (well above the 10 ms ticks).
    while ((process.cpuUsage(until).user + process.cpuUsage(until).system) / 1e6 < 0.25);
    expect(cpuSecondsOf(process.pid) - before).toBeGreaterThanOrEqual(0.2);
    expect(cpuSecondsOf(2 ** 22 + 1)).toBe(0); // above pid_max: never a process
  });
});

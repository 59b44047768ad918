import { describe, expect, it } from 'vitest';
import { checkCronSchedule, nextCronRun } from './cron-schedule';

describe('cron schedules', () => {
  const from = new Date('2026-11-26T12:34:56Z'); // a Thursday

  it('finds the next run of weekly, daily and stepped schedules (UTC)', () => {
    expect(nextCronRun('0 1 * * 0', from)?.toISOString()).toBe('2026-11-29T01:00:00.000Z');
    expect(nextCronRun('30 2 * * *', from)?.toISOString()).toBe('2026-11-27T02:30:00.000Z');
    expect(nextCronRun('*/15 * * * *', from)?.toISOString()).toBe('2026-11-26T12:45:00.000Z');
    expect(nextCronRun('0 0 1 1 *', from)?.toISOString()).toBe('2027-01-01T00:00:00.000Z');
  });

  it('reads names and nicknames, Sunday as 0 or 7, and either day field when both are set', () => {
    expect(nextCronRun('0 1 * * SUN', from)?.toISOString()).toBe('2026-11-29T01:00:00.000Z');
    expect(nextCronRun('@daily', from)?.toISOString()).toBe('2026-11-27T00:00:00.000Z');
    expect(nextCronRun('@weekly', from)?.toISOString()).toBe('2026-11-29T00:00:00.000Z');
    expect(nextCronRun('0 0 1 JAN *', from)?.toISOString()).toBe('2027-01-01T00:00:00.000Z');
    // The 1st or the 15th or any Sunday, at 9, 13 or 17.
    expect(nextCronRun('0 9-17/4 1,15 * 7', from)?.toISOString()).toBe('2026-11-29T09:00:00.000Z');
    expect(nextCronRun('0 9-17/4 1,15 * 7', new Date('2026-11-30T00:00:00Z'))?.toISOString()).toBe('2026-12-01T09:00:00.000Z');
  });

  it('refuses malformed schedules, and seconds, with how to write one', () => {
    expect(() => checkCronSchedule('0 1 * *')).toThrow('has 4 field(s); write five');
    expect(() => checkCronSchedule('0 0 1 * * *')).toThrow('has 6 field(s); write five');
    expect(() => checkCronSchedule('61 * * * *')).toThrow(/not a cron schedule: .*minute.*61.*write e\.g\./);
    expect(() => checkCronSchedule('@sometimes')).toThrow(/not a cron schedule/);
  });
});

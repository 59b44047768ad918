import { describe, expect, it } from 'vitest';
import { matches, nextRun, parseCron } from './cron';

describe('cron schedules', () => {
  it('finds the next run of weekly, daily and stepped schedules (UTC)', () => {
    const from = new Date('2026-11-26T12:34:56Z'); // a Thursday
    expect(nextRun(parseCron('0 1 * * 0'), from)?.toISOString()).toBe('2026-11-29T01:00:00.000Z');
    expect(nextRun(parseCron('30 2 * * *'), from)?.toISOString()).toBe('2026-11-27T02:30:00.000Z');
    expect(nextRun(parseCron('*/15 * * * *'), from)?.toISOString()).toBe('2026-11-26T12:45:00.000Z');
    expect(nextRun(parseCron('0 0 1 1 *'), from)?.toISOString()).toBe('2027-01-01T00:00:00.000Z');
  });

  it('matches lists, ranges, Sunday as 0 or 7, and either day field when both are set', () => {
    const schedule = parseCron('0 9-17/4 1,15 * 7');
    expect(matches(schedule, new Date('2026-12-01T09:00:00Z'))).toBe(true); // the 1st
    expect(matches(schedule, new Date('2026-11-29T13:00:00Z'))).toBe(true); // a Sunday
    expect(matches(schedule, new Date('2026-11-30T13:00:00Z'))).toBe(false);
    expect(matches(schedule, new Date('2026-12-01T10:00:00Z'))).toBe(false);
  });

  it('refuses malformed schedules with the field and the fix', () => {
    expect(() => parseCron('0 1 * *')).toThrow('has 4 fields; write five');
    expect(() => parseCron('61 * * * *')).toThrow('minute "61" is out of range: use 0-59');
    expect(() => parseCron('*/0 * * * *')).toThrow('step "0" must be a positive whole number');
  });
});

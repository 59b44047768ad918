import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkCronSchedule } from '../../runtime/src/util/cron-schedule';
import { BackupSchedule } from '../src';
import { cronProblem } from '../src/model/backup-schedule';

const runtimeAccepts = (text: string) => {
  try {
    checkCronSchedule(text);
    return true;
  } catch {
    return false;
  }
};

describe('backup schedules', () => {
  it('factories write schedules the runtime parses', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }), fc.integer({ min: 0, max: 6 }), (hour, minute, weekday) => {
      const daily = BackupSchedule.daily({ hour, minute });
      const weekly = BackupSchedule.weekly({ hour, minute, weekday, dailyDifferential: true });
      for (const text of [daily.full, weekly.full, weekly.diff!]) {
        expect(cronProblem(text)).toBeUndefined();
        expect(runtimeAccepts(text)).toBe(true);
      }
      expect(weekly.diff!.split(' ')[4]!.split(',')).not.toContain(String(weekday));
    }));
  });

  it('the synth check agrees with the runtime parser on written schedules', () => {
    const field = fc.oneof(fc.constant('*'), fc.integer({ min: 0, max: 70 }).map(String), fc.constant('1-5'), fc.constant('5-1'), fc.constant('*/15'), fc.constant('*/0'), fc.constant('x'), fc.constant('1,2,3'));
    fc.assert(fc.property(fc.array(field, { minLength: 4, maxLength: 6 }), (parts) => {
      const text = parts.join(' ');
      expect(cronProblem(text) === undefined).toBe(runtimeAccepts(text));
    }), { numRuns: 2000 });
  });
});

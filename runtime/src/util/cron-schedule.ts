/**
 * Cron schedules as the backup section writes them, read by croner: five fields (minute hour
 * day-of-month month day-of-week) with lists, ranges, steps and names (MON, JAN), or a nickname
 * (@daily, @weekly, @monthly, @hourly...). Seconds are refused: a backup every second is a
 * typo. Times are UTC.
 */
import { Cron } from 'croner';

/** Throws an Error that says what is wrong with `text` and how to write it. */
export function checkCronSchedule(text: string): void {
  parse(text);
}

/** When `text` next fires after `from` (undefined: never again). */
export function nextCronRun(text: string, from: Date): Date | undefined {
  return parse(text).nextRun(from) ?? undefined;
}

function parse(text: string): Cron {
  const trimmed = text.trim();
  const fields = trimmed.split(/\s+/).length;
  if (!trimmed.startsWith('@') && fields !== 5) {
    throw new Error(`"${text}" has ${fields} field(s); write five: minute hour day-of-month month day-of-week (e.g. "0 1 * * 0" or "0 1 * * SUN"), or a nickname such as "@daily"`);
  }
  try {
    return new Cron(trimmed, { paused: true, timezone: 'UTC' });
  } catch (error) {
    throw new Error(`"${text}" is not a cron schedule: ${(error as Error).message.replace(/^CronPattern: /, '')} (write e.g. "0 1 * * 0", "30 2 * * *" or "@daily")`);
  }
}

/**
 * Five-field cron schedules (minute hour day-of-month month day-of-week) for backups: lists,
 * ranges, steps and `*`. Parsed once into sets, so checking a minute is a lookup; the next run
 * is found by walking minutes (at most a year of them).
 */
export interface CronSchedule {
  readonly text: string;
  readonly minutes: ReadonlySet<number>;
  readonly hours: ReadonlySet<number>;
  readonly days: ReadonlySet<number>;
  readonly months: ReadonlySet<number>;
  readonly weekdays: ReadonlySet<number>;
  /** Day of month and day of week were both restricted: cron matches either (the classic rule). */
  readonly eitherDay: boolean;
}

const FIELDS = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12 },
  { name: 'day of week', min: 0, max: 7 },
] as const;

/** Parses a schedule; throws an Error that names the field and the fix. */
export function parseCron(text: string): CronSchedule {
  const parts = text.trim().split(/\s+/);
  if (parts.length !== 5) throw new Error(`"${text}" has ${parts.length} fields; write five: minute hour day-of-month month day-of-week (e.g. "0 1 * * 0")`);
  const sets = parts.map((part, index) => parseField(part, FIELDS[index]!));
  const weekdays = new Set([...sets[4]!].map((day) => (day === 7 ? 0 : day)));
  return {
    text,
    minutes: sets[0]!,
    hours: sets[1]!,
    days: sets[2]!,
    months: sets[3]!,
    weekdays,
    eitherDay: parts[2] !== '*' && parts[4] !== '*',
  };
}

function parseField(part: string, field: (typeof FIELDS)[number]): Set<number> {
  const values = new Set<number>();
  for (const item of part.split(',')) {
    const [range, stepText] = item.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw new Error(`${field.name} "${part}": step "${stepText}" must be a positive whole number`);
    let from: number = field.min;
    let to: number = field.max;
    if (range !== '*') {
      const [start, end] = (range ?? '').split('-');
      from = Number(start);
      to = end === undefined ? (stepText === undefined ? from : field.max) : Number(end);
      if (!Number.isInteger(from) || !Number.isInteger(to) || from < field.min || to > field.max || from > to) {
        throw new Error(`${field.name} "${part}" is out of range: use ${field.min}-${field.max}`);
      }
    }
    for (let value = from; value <= to; value += step) values.add(value);
  }
  return values;
}

export function matches(schedule: CronSchedule, date: Date): boolean {
  if (!schedule.minutes.has(date.getUTCMinutes()) || !schedule.hours.has(date.getUTCHours()) || !schedule.months.has(date.getUTCMonth() + 1)) return false;
  const dayOk = schedule.days.has(date.getUTCDate());
  const weekdayOk = schedule.weekdays.has(date.getUTCDay());
  return schedule.eitherDay ? dayOk || weekdayOk : dayOk && weekdayOk;
}

/** The first minute strictly after `after` (UTC) the schedule fires, or undefined within a year. */
export function nextRun(schedule: CronSchedule, after: Date): Date | undefined {
  const date = new Date(after.getTime());
  date.setUTCSeconds(0, 0);
  for (let i = 0; i < 366 * 24 * 60; i++) {
    date.setUTCMinutes(date.getUTCMinutes() + 1);
    if (matches(schedule, date)) return new Date(date.getTime());
  }
  return undefined;
}

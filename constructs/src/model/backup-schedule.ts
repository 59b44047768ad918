/** Options of `BackupSchedule.daily`. */
export interface DailyBackupOptions {
  /**
   * Hour of the day (0-23, in the orchestrators' time zone, UTC in the image).
   * @default 1
   */
  readonly hour?: number;
  /**
   * Minute of the hour (0-59).
   * @default 0
   */
  readonly minute?: number;
}

/** Options of `BackupSchedule.weekly`. */
export interface WeeklyBackupOptions extends DailyBackupOptions {
  /**
   * Day of the week, 0 (Sunday) to 6.
   * @default 0
   */
  readonly weekday?: number;
  /**
   * Take a differential backup at the same time on every other day.
   * @default false
   */
  readonly dailyDifferential?: boolean;
}

/**
 * When the orchestrator takes full, differential and incremental backups (five-field cron
 * schedules, as the ClusterSpec's `backup.schedule`).
 *
 * @example
 * BackupSchedule.daily({ hour: 2 })
 */
export class BackupSchedule {
  /** A full backup every day. */
  public static daily(options: DailyBackupOptions = {}): BackupSchedule {
    return new BackupSchedule(`${options.minute ?? 0} ${options.hour ?? 1} * * *`);
  }

  /** A full backup once a week, optionally with a differential one on the other days. */
  public static weekly(options: WeeklyBackupOptions = {}): BackupSchedule {
    const minute = options.minute ?? 0;
    const hour = options.hour ?? 1;
    const weekday = options.weekday ?? 0;
    const others = [0, 1, 2, 3, 4, 5, 6].filter((day) => day !== weekday).join(',');
    return new BackupSchedule(`${minute} ${hour} * * ${weekday}`, options.dailyDifferential ? `${minute} ${hour} * * ${others}` : undefined);
  }

  /** Cron schedules as they are: `full` and, optionally, `diff` and `incr`. */
  public static cron(full: string, diff?: string, incr?: string): BackupSchedule {
    return new BackupSchedule(full, diff, incr);
  }

  /** Schedule of full backups. */
  public readonly full: string;
  /** Schedule of differential backups, if any. */
  public readonly diff?: string;
  /** Schedule of incremental backups, if any. */
  public readonly incr?: string;

  private constructor(full: string, diff?: string, incr?: string) {
    this.full = full;
    this.diff = diff;
    this.incr = incr;
  }
}

const CRON_FIELDS: readonly (readonly [string, number, number])[] = [
  ['minute', 0, 59],
  ['hour', 0, 23],
  ['day of month', 1, 31],
  ['month', 1, 12],
  ['day of week', 0, 7],
];

/**
 * Why a cron text is not a schedule the runtime accepts, or undefined. The runtime reads
 * schedules with croner (runtime/src/util/cron-schedule.ts), which also takes names (MON, JAN)
 * and nicknames (@daily); the constructs write and check only the numeric form: lists, ranges,
 * steps (no larger than the field's largest value) and `*`. Checked at synth so a typo does
 * not wait for 1 a.m.
 */
export function cronProblem(text: string): string | undefined {
  const parts = text.trim().split(/\s+/);
  if (parts.length !== 5) return `"${text}" has ${parts.length} fields; write five: minute hour day-of-month month day-of-week`;
  for (let index = 0; index < 5; index++) {
    const [name, min, max] = CRON_FIELDS[index]!;
    for (const item of parts[index]!.split(',')) {
      const [range, step] = item.split('/');
      if (step !== undefined && !/^[1-9][0-9]*$/.test(step)) return `"${text}": the ${name} step "${step}" is not a positive number`;
      if (step !== undefined && Number(step) > max) return `"${text}": the ${name} step "${step}" is larger than ${max}, the field's largest value`;
      if (range === '*') continue;
      const bounds = (range ?? '').split('-');
      if (bounds.length > 2 || bounds.some((bound) => !/^[0-9]+$/.test(bound))) return `"${text}": the ${name} "${item}" is not a number, range, step or *`;
      const numbers = bounds.map(Number);
      if (numbers.some((value) => value < min || value > max)) return `"${text}": the ${name} must be from ${min} to ${max}`;
      if (numbers.length === 2 && numbers[0]! > numbers[1]!) return `"${text}": the ${name} range "${range}" runs backwards`;
    }
  }
  return undefined;
}

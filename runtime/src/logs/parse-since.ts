import { InvalidRequestError } from '../util/domain-errors';

const UNIT_MS: Readonly<Record<string, number>> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * `--since`: how far back (`30s`, `10m`, `2h`, `1d`, `1.5h`) or from when (an ISO time; without
 * an offset, local time) — as milliseconds since the epoch. Written out rather than taken from
 * a duration library: four units need one expression, and a bare number (which `ms` reads as
 * milliseconds) is better refused than guessed at.
 */
export function parseSince(value: string, now = Date.now()): number {
  const relative = /^(\d+(?:\.\d+)?)([smhd])$/.exec(value.trim());
  if (relative) return now - Number(relative[1]) * UNIT_MS[relative[2]!]!;
  if (/^\d{4}-\d{2}-\d{2}/.test(value)) {
    const time = Date.parse(value);
    if (!Number.isNaN(time)) return time;
  }
  throw new InvalidRequestError(`"${value}" is neither a duration nor a time: give how far back (30s, 10m, 2h, 1d) or an ISO time (2026-12-01T21:00:00Z)`);
}

/**
 * Postgres' log lines, as `log_line_prefix = '%m [%p] %q%u@%d '` (postgres-config.ts) writes
 * them:
 *
 *   2026-12-01 16:21:09.814 UTC [25103] postgres@postgres ERROR:  relation "t" does not exist
 *   2026-12-01 16:21:09.623 UTC [25096] LOG:  listening on IPv4 address "127.0.0.1", port 33314
 *
 * The time is in log_timezone (UTC unless the spec sets another). A line without the prefix
 * (the rest of a multi-line statement) is not one of these: the caller keeps it as text.
 */
import type { LogLevel, ParsedLine } from './log-record';

const LINE = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}(?:\.\d+)?) (\S+) \[(\d+)\] (?:(\S*)@(\S*) )?([A-Z][A-Z0-9]*):  ?(.*)$/;

/** Severities that start a message; the others (DETAIL, HINT, STATEMENT, …) belong to the one before. */
const LEVELS: Readonly<Record<string, LogLevel>> = {
  DEBUG1: 'debug', DEBUG2: 'debug', DEBUG3: 'debug', DEBUG4: 'debug', DEBUG5: 'debug',
  LOG: 'info', INFO: 'info', NOTICE: 'info',
  WARNING: 'warn',
  ERROR: 'error',
  FATAL: 'fatal', PANIC: 'fatal',
};
const CONTINUING = new Set(['DETAIL', 'HINT', 'QUERY', 'CONTEXT', 'LOCATION', 'STATEMENT']);

export function parsePostgresLine(text: string): ParsedLine | undefined {
  const match = LINE.exec(text);
  if (!match) return undefined;
  const [, date, clock, zone, pid, user, database, severity, message] = match as unknown as string[];
  const time = postgresTime(date!, clock!, zone!);
  const level = LEVELS[severity!];
  if (time === undefined || (level === undefined && !CONTINUING.has(severity!))) return undefined;
  const fields: Record<string, unknown> = { pid: Number(pid) };
  if (user) fields.user = user;
  if (database) fields.db = database;
  // A DETAIL or STATEMENT keeps its name: the level it shows is the message's it belongs to.
  const msg = level === undefined ? `${severity}: ${message}` : message!;
  return { time, ...(level !== undefined ? { level } : {}), msg, fields };
}

/** `%m` in the zone's abbreviation (UTC, GMT) or as a numeric offset (+03, -0530) when it has none. */
function postgresTime(date: string, clock: string, zone: string): number | undefined {
  const offset = zone === 'UTC' || zone === 'GMT' ? 'Z' : numericOffset(zone);
  // Another abbreviation (a spec that sets log_timezone): what Date.parse knows of (EST, PDT…).
  const parsed = offset !== undefined ? Date.parse(`${date}T${clock}${offset}`) : Date.parse(`${date} ${clock} ${zone}`);
  return Number.isNaN(parsed) ? undefined : parsed;
}

function numericOffset(zone: string): string | undefined {
  const match = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone);
  return match ? `${match[1]}${match[2]}:${match[3] ?? '00'}` : undefined;
}

/**
 * Reads one line of a log file into a ParsedLine. The services (and the supervisor) write pino
 * JSON, etcd writes zap JSON, Postgres writes text with its own prefix; any line that is none
 * of these is kept as its text.
 */
import { type LogLevel, type LogSource, type ParsedLine, unparsedLine } from './log-record';
import { parsePostgresLine } from './postgres-log-line';

export function parseLogLine(text: string, source: LogSource): ParsedLine {
  if (source.service === 'postgres') return parsePostgresLine(text) ?? unparsedLine(text);
  return (text.startsWith('{') && parseJsonLine(text, source)) || unparsedLine(text);
}

/** pino's numeric levels (10 trace … 60 fatal). */
const PINO_LEVELS: Readonly<Record<number, LogLevel>> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };
/** zap's and other writers' level names, where they differ from ours. */
const NAMED_LEVELS: Readonly<Record<string, LogLevel>> = { warning: 'warn', dpanic: 'fatal', panic: 'fatal', critical: 'fatal' };
const OUR_LEVELS = new Set<string>(Object.values(PINO_LEVELS));

/** The fields a logger adds to every line to say who wrote it (util/log.ts: component and its identity field). */
const IDENTITY_KEYS = new Set(['component', 'zone', 'instance', 'name']);
/** The fields that become time, level and message. */
const SHAPE_KEYS = new Set(['time', 'ts', 'level', 'msg']);

function parseJsonLine(text: string, source: LogSource): ParsedLine | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const entry = value as Record<string, unknown>;
  const time = epochMs(entry.time, 1) ?? epochMs(entry.ts, 1000);
  const msg = typeof entry.msg === 'string' ? entry.msg : '';
  const fields: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(entry)) {
    if (SHAPE_KEYS.has(key)) continue;
    if (IDENTITY_KEYS.has(key) && (key === 'component' || source.identity.includes(String(field)))) continue;
    fields[key] = flattenError(field);
  }
  return { ...(time !== undefined ? { time } : {}), level: levelOf(entry.level), msg, fields };
}

/** pino writes `time` in milliseconds since the epoch; zap `ts` as an ISO string (or seconds, with its epoch encoder). */
function epochMs(value: unknown, msPerUnit: number): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return Math.round(value * msPerUnit);
  if (typeof value !== 'string') return undefined;
  const parsed = Date.parse(value);
  return Number.isNaN(parsed) ? undefined : parsed;
}

function levelOf(value: unknown): LogLevel {
  if (typeof value === 'number') return PINO_LEVELS[value] ?? (value >= 50 ? 'error' : 'info');
  if (typeof value !== 'string') return 'info';
  const name = value.toLowerCase();
  if (OUR_LEVELS.has(name)) return name as LogLevel;
  return NAMED_LEVELS[name] ?? 'info';
}

/** pino's error serializer writes {type, message, stack}: one line shows the message. */
function flattenError(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const { message } = value as { message?: unknown };
  return typeof message === 'string' && ('stack' in value || 'type' in value) ? message : value;
}

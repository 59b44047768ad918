/**
 * A LogRecord as one line for people —
 *   2026-12-01T21:30:11.123Z  INFO   gateway/zone-a       gateway listening  port=15432 tls=true
 * — or as one JSON object for programs: {time, level, service, source, msg, ...fields}.
 */
import type { LogRecord } from './log-record';

/** `sourceWidth` pads the source column so that the messages line up. */
export function formatLogText(record: LogRecord, sourceWidth = 0): string {
  const fields = Object.entries(record.fields)
    .map(([key, value]) => `${key}=${fieldText(value)}`)
    .join(' ');
  const head = `${new Date(record.time).toISOString()}  ${record.level.toUpperCase().padEnd(5)}  ${record.source.padEnd(sourceWidth)}  ${oneLine(record.msg)}`;
  return fields ? `${head}  ${fields}` : head;
}

export function formatLogJson(record: LogRecord): string {
  const shape = { time: new Date(record.time).toISOString(), level: record.level, service: record.service, source: record.source, msg: record.msg };
  // A field named like one of the shape's keys cannot replace it.
  return JSON.stringify({ ...shape, ...record.fields, ...shape });
}

/** Plain words stay bare; anything with a space, a quote, an `=` or a line break is quoted. */
function fieldText(value: unknown): string {
  if (typeof value === 'string') return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  if (value === undefined) return 'undefined';
  return JSON.stringify(value);
}

/** A message with line breaks (a stack, a multi-line statement) must not break the stream's one line per record. */
function oneLine(text: string): string {
  return text.replace(/\r?\n/g, '\\n').replace(/\t/g, '  ');
}

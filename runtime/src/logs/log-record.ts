/**
 * What every log line becomes, whichever program wrote it (a service's pino JSON, etcd's zap
 * JSON, Postgres' text): the one shape `polygres logs` merges, prints and filters.
 */

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The kinds of process whose logs a local cluster keeps; `--service` accepts each. */
export const SERVICE_KINDS = ['supervisor', 'etcd', 'orchestrator', 'pooler', 'postgres', 'gateway'] as const;
export type ServiceKind = (typeof SERVICE_KINDS)[number];

/** One log file and the process that writes it. */
export interface LogSource {
  readonly service: ServiceKind;
  /** How the lines are labelled: the kind and the process's identity, e.g. `pooler/zone-a-0`. */
  readonly source: string;
  readonly file: string;
  /** Every name `--service` selects this source by (its kind, label, process name, instance, zone). */
  readonly names: readonly string[];
  /** Values that only repeat who wrote the line (a pooler's `instance`): left out of the fields. */
  readonly identity: readonly string[];
}

export interface LogRecord {
  /** Milliseconds since the epoch. */
  readonly time: number;
  readonly level: LogLevel;
  readonly service: ServiceKind;
  readonly source: string;
  readonly msg: string;
  /** What else the line said, in its order (an error object already flattened to its message). */
  readonly fields: Readonly<Record<string, unknown>>;
}

/**
 * A line as read, before its place in the file is known: `time` is absent when the line has
 * none of its own (a continuation, a stray message), and `level` when it continues the line
 * before it (Postgres' DETAIL or STATEMENT); both are then taken from the previous line.
 */
export interface ParsedLine {
  readonly time?: number;
  readonly level?: LogLevel;
  readonly msg: string;
  readonly fields: Readonly<Record<string, unknown>>;
}

/** A line that could not be read as any format: shown as it is, nothing dropped. */
export function unparsedLine(text: string): ParsedLine {
  return { msg: text, fields: {} };
}

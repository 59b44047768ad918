import { statSync } from 'node:fs';
import { LineCursor } from './line-cursor';
import { parseLogLine } from './log-line';
import type { LogLevel, LogRecord, LogSource, ParsedLine } from './log-record';
import { rotatedPredecessors } from './rotating-file';

/**
 * The records of one source, in the order its file holds them: first what is there
 * (backlog), then, for --follow, what is written after (poll) — from one cursor, so nothing
 * is read twice or missed between the two. A line with no time of its own takes the time
 * (and level) of the line before it; lines before the first timed one take that line's time.
 */
export class LogSourceReader {
  private cursor: LineCursor | undefined;
  private lastTime: number | undefined;
  private lastLevel: LogLevel = 'info';
  private reported = false;

  constructor(readonly source: LogSource, private readonly onProblem: (message: string) => void) {}

  /**
   * What the source holds now, from `since` on: the current file, preceded by those of its
   * rotated predecessors written to since then. `final` (no --follow): an unfinished last line is
   * shown too.
   */
  *backlog(since: number | undefined, final: boolean): Generator<LogRecord> {
    const files = since === undefined ? [] : rotatedPredecessors(this.source.file).filter((file) => modifiedAt(file) >= since);
    for (const file of files) {
      const cursor = new LineCursor(file);
      try {
        yield* this.fromSince(this.records(this.readAll(cursor), file), since);
      } finally {
        cursor.close();
      }
    }
    this.cursor ??= new LineCursor(this.source.file);
    yield* this.fromSince(this.records(final ? this.readAll(this.cursor) : this.read(this.cursor), this.source.file), since);
  }

  /** What was written since the last call. */
  poll(): LogRecord[] {
    this.cursor ??= new LineCursor(this.source.file);
    return [...this.records(this.read(this.cursor), undefined)];
  }

  close(): void {
    this.cursor?.close();
  }

  private *fromSince(records: Iterable<LogRecord>, since: number | undefined): Generator<LogRecord> {
    for (const record of records) if (since === undefined || record.time >= since) yield record;
  }

  /** `file`: where leading untimed lines take their time from when none follows (its last change). */
  private *records(lines: Iterable<string>, file: string | undefined): Generator<LogRecord> {
    const untimed: ParsedLine[] = [];
    for (const text of lines) {
      if (text.trim() === '') continue;
      const line = parseLogLine(text, this.source);
      if (line.time === undefined && this.lastTime === undefined) {
        untimed.push(line);
        continue;
      }
      if (line.time !== undefined && untimed.length > 0) {
        this.lastTime = line.time;
        for (const early of untimed.splice(0)) yield this.record(early);
      }
      yield this.record(line);
    }
    if (untimed.length > 0) {
      this.lastTime = file === undefined ? Date.now() : modifiedAt(file);
      for (const early of untimed) yield this.record(early);
    }
  }

  private record(line: ParsedLine): LogRecord {
    const time = line.time ?? this.lastTime!;
    const level = line.level ?? this.lastLevel;
    this.lastTime = time;
    this.lastLevel = level;
    return { time, level, service: this.source.service, source: this.source.source, msg: line.msg, fields: line.fields };
  }

  /** The cursor's new lines; a file that cannot be read (permissions) is said once and skipped. */
  private *read(cursor: LineCursor): Generator<string> {
    try {
      yield* cursor.lines();
    } catch (error) {
      if (!this.reported) this.onProblem(`cannot read ${cursor.path}: ${(error as Error).message}`);
      this.reported = true;
    }
  }

  private *readAll(cursor: LineCursor): Generator<string> {
    yield* this.read(cursor);
    const rest = cursor.rest();
    if (rest !== undefined) yield rest;
  }
}

function modifiedAt(file: string): number {
  return statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? Date.now();
}

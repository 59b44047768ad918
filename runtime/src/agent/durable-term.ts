/**
 * A term that only grows, kept in a file that is fsynced, with its directory, before anyone is
 * told. The highest term this pooler has accepted (ARCHITECTURE.md, control path 2): after a
 * crash it still refuses every lower term, so an orchestrator that lost a race can never act
 * through it. And the highest rule term its node is known to hold: a recruit whose Postgres
 * cannot answer reports it, and after a pooler restart it must not report less than it knew.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from '../util/log';

export class DurableTerm {
  private term: number;

  /** `formerFiles`: where earlier versions kept it; the highest term found anywhere counts. */
  constructor(private readonly file: string, formerFiles: readonly string[] = []) {
    this.term = Math.max(readTerm(file), ...formerFiles.map(readTerm));
  }

  get current(): number {
    return this.term;
  }

  /** Records `term` if it is at least the current one; false when it is lower (refused). */
  raiseTo(term: number): boolean {
    if (term < this.term) return false;
    if (term === this.term) return true;
    mkdirSync(dirname(this.file), { recursive: true, mode: 0o700 });
    const temporary = `${this.file}.tmp`;
    const fd = openSync(temporary, 'w', 0o600);
    try {
      writeSync(fd, `${term}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, this.file);
    const dir = openSync(dirname(this.file), 'r');
    try {
      fsyncSync(dir);
    } finally {
      closeSync(dir);
    }
    this.term = term;
    return true;
  }

  /** raiseTo for a term kept as a record, not a promise: a failed write is logged, not thrown (the next raise tries again). */
  tryRaiseTo(term: number, log: Logger): void {
    try {
      this.raiseTo(term);
    } catch (error) {
      log.warn({ err: (error as Error).message, file: this.file }, 'could not keep the term on disk');
    }
  }
}

function readTerm(file: string): number {
  try {
    const term = Number.parseInt(readFileSync(file, 'utf8'), 10);
    return Number.isInteger(term) && term > 0 ? term : 0;
  } catch {
    return 0;
  }
}

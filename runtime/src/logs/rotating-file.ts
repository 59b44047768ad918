import { closeSync, existsSync, fstatSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';

export interface RotationPolicy {
  /** A file about to grow past this is renamed `<name>.1` first and a new one started. */
  readonly maxBytes: number;
  /** How many renamed predecessors are kept (`<name>.1` the newest … `<name>.<keep>`). */
  readonly keep: number;
}

/** 20 MiB a file and five predecessors: at most 120 MiB a process, days of a busy cluster's lines. */
export const LOG_ROTATION: RotationPolicy = { maxBytes: 20 * 1024 * 1024, keep: 5 };

/**
 * A log file that rotates by size, for a writer that hands it whole lines (the supervisor, for
 * each child's output and its own): a line is never split across two files. Each write opens,
 * appends and closes, so no descriptor outlives it and a file deleted by hand is made again.
 */
export class RotatingFile {
  constructor(readonly path: string, private readonly policy: RotationPolicy = LOG_ROTATION) {
    // Made at once, so a process that has said nothing yet still has its (empty) log.
    this.write('');
  }

  /**
   * Appends `text`, which ends at a line's end. A write that fails (a full disk) is dropped:
   * a log must never take its writer down, and the lines are lost either way.
   */
  write(text: string | Uint8Array): void {
    const bytes = typeof text === 'string' ? Buffer.byteLength(text) : text.length;
    try {
      let fd = openSync(this.path, 'a');
      try {
        const size = fstatSync(fd).size;
        if (size > 0 && size + bytes > this.policy.maxBytes) {
          closeSync(fd);
          shiftRotated(this.path, this.policy.keep);
          fd = openSync(this.path, 'a');
        }
        if (bytes > 0) writeSync(fd, typeof text === 'string' ? Buffer.from(text) : text);
      } finally {
        closeSync(fd);
      }
    } catch {
      // Dropped, as said above.
    }
  }
}

/** Renames `path` to `path.1`, each older `path.N` to `path.N+1`, and deletes the one past `keep`. */
export function shiftRotated(path: string, keep: number): void {
  rmSync(`${path}.${keep}`, { force: true });
  for (let n = keep - 1; n >= 0; n--) {
    const from = n === 0 ? path : `${path}.${n}`;
    if (existsSync(from)) renameSync(from, `${path}.${n + 1}`);
  }
}

/** The renamed predecessors of `path` that exist, oldest first. */
export function rotatedPredecessors(path: string): string[] {
  const found: string[] = [];
  for (let n = 1; existsSync(`${path}.${n}`); n++) found.push(`${path}.${n}`);
  return found.reverse();
}

import { closeSync, existsSync, fstatSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';

export interface RotationPolicy {
  /** A file about to grow past this is renamed `<name>.1` first and a new one started. */
  readonly maxBytes: number;
  /** How many renamed predecessors are kept (`<name>.1` the newest … `<name>.<keep>`). */
  readonly keep: number;
}

/** 20 MiB a file and five predecessors: at most 120 MiB a process, days of a busy cluster's lines. */
export const LOG_ROTATION: RotationPolicy = { maxBytes: 20 * 1024 * 1024, keep: 5 };

const NEWLINE = 0x0a;

/**
 * A log file that rotates by size, for a writer that hands it whole lines (the supervisor, for
 * each child's output and its own): a write of many lines is cut at line ends, so no line is
 * split across two files and no file passes the size (but for a single line longer than it).
 * Each write opens, appends and closes, so no descriptor outlives it and a file deleted by
 * hand is made again.
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
    let data = typeof text === 'string' ? Buffer.from(text) : text;
    try {
      let fd = openSync(this.path, 'a');
      try {
        let size = fstatSync(fd).size;
        while (data.length > 0 && size + data.length > this.policy.maxBytes) {
          const cut = size === 0 ? firstLinesEnd(data, this.policy.maxBytes) : linesEnd(data, this.policy.maxBytes - size);
          if (cut > 0) writeSync(fd, data.subarray(0, cut));
          data = data.subarray(cut);
          closeSync(fd);
          shiftRotated(this.path, this.policy.keep);
          fd = openSync(this.path, 'a');
          size = 0;
        }
        if (data.length > 0) writeSync(fd, data);
      } finally {
        closeSync(fd);
      }
    } catch {
      // Dropped, as said above.
    }
  }
}

/** Where the whole lines that fit in `room` bytes end (0: not even one). */
function linesEnd(data: Uint8Array, room: number): number {
  return room > 0 ? Buffer.from(data.buffer, data.byteOffset, data.length).lastIndexOf(NEWLINE, room - 1) + 1 : 0;
}

/** For an empty file: the lines that fit, or the first line whole when even it does not. */
function firstLinesEnd(data: Uint8Array, room: number): number {
  const end = linesEnd(data, room);
  if (end > 0) return end;
  const first = Buffer.from(data.buffer, data.byteOffset, data.length).indexOf(NEWLINE) + 1;
  return first > 0 ? first : data.length;
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

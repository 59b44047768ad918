import { closeSync, openSync, readSync, statSync } from 'node:fs';

/**
 * Calls `onLine` for every complete line appended to `file` from now on (like `tail -f`),
 * polling, since the writer is another process. Lines that do not parse are skipped.
 */
export function followLines(file: string, onLine: (line: string) => void, intervalMs = 200): { stop(): void } {
  let offset = sizeOf(file);
  let partial = '';
  const timer = setInterval(() => {
    const size = sizeOf(file);
    if (size <= offset) return;
    const fd = openSync(file, 'r');
    const chunk = Buffer.alloc(size - offset);
    try {
      readSync(fd, chunk, 0, chunk.length, offset);
    } finally {
      closeSync(fd);
    }
    offset = size;
    const lines = (partial + chunk.toString('utf8')).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      try {
        onLine(line);
      } catch {
        // Not one of the supervisor's JSON lines (a stray message on its stdout).
      }
    }
  }, intervalMs);
  return { stop: () => clearInterval(timer) };
}

function sizeOf(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

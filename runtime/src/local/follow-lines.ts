import { LineCursor } from '../logs/line-cursor';

/**
 * Calls `onLine` for every complete line appended to `file` from now on (like `tail -F`, across
 * a rotation), polling, since the writer is another process. Lines that do not parse are skipped.
 */
export function followLines(file: string, onLine: (line: string) => void, intervalMs = 200): { stop(): void } {
  const cursor = new LineCursor(file, 'end');
  const timer = setInterval(() => {
    for (const line of cursor.lines()) {
      try {
        onLine(line);
      } catch {
        // Not one of the supervisor's JSON lines (a stray message on its stdout).
      }
    }
  }, intervalMs);
  return {
    stop: () => {
      clearInterval(timer);
      cursor.close();
    },
  };
}

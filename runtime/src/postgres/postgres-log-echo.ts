/**
 * On Kubernetes, Postgres' log also goes to the pooler's output, which is the container's:
 * `kubectl logs` and the node's log shipper see it with the runtime's own records, one JSON
 * record per line at the line's severity. The file stays (rotated, postgres-log-rotation.ts)
 * for `polygres logs` and for the pooler's own error messages.
 */
import { LineCursor } from '../logs/line-cursor';
import type { LogLevel } from '../logs/log-record';
import { parsePostgresLine } from '../logs/postgres-log-line';
import type { Logger } from '../util/log';

const ECHO_INTERVAL_MS = 250;

export function echoPostgresLog(file: string, log: Logger, intervalMs = ECHO_INTERVAL_MS): { stop(): void } {
  // From the end: a restarted container does not repeat what its last run already echoed.
  const cursor = new LineCursor(file, 'end');
  let level: LogLevel = 'info';
  const echo = (): void => {
    try {
      for (const line of cursor.lines()) {
        // DETAIL, HINT, the rest of a multi-line statement: they keep the level of the message before.
        level = parsePostgresLine(line)?.level ?? level;
        log[level]({ source: 'postgres' }, line);
      }
    } catch (error) {
      log.warn({ err: (error as Error).message, file }, 'could not read the Postgres log');
    }
  };
  const timer = setInterval(echo, intervalMs);
  return {
    /** Echoes what is left (the shutdown's lines) and stops. */
    stop() {
      clearInterval(timer);
      echo();
      cursor.close();
    },
  };
}

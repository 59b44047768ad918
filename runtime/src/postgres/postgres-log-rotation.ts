import { statSync } from 'node:fs';
import { LOG_ROTATION, type RotationPolicy, shiftRotated } from '../logs/rotating-file';
import type { Logger } from '../util/log';
import type { PostgresControl } from './postgres-control';

/**
 * Keeps an instance's server log under the size every Polygres log rotates at. Postgres'
 * logging collector writes postgres.log (postgres-config.ts); once it has passed the size it
 * is renamed postgres.log.1 (older ones shift, the oldest goes) and the collector is told to
 * reopen its file, which starts a new postgres.log. Lines written in between still land in the
 * renamed file: none is lost or split, and the server runs on. The pooler, which owns the
 * server, looks every `intervalMs`, so a file passes the size by at most what that time writes.
 */
export function rotatePostgresLog(postgres: PostgresControl, log: Logger, options: { policy?: RotationPolicy; intervalMs?: number } = {}): { stop(): void } {
  const policy = options.policy ?? LOG_ROTATION;
  const failed = (error: unknown) => log.warn({ err: (error as Error).message, file: postgres.logFile }, 'rotating the Postgres log failed; will retry');
  // Renamed, but the collector not yet told: it still writes the renamed file until it is.
  let reopenPending = false;
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    if (!reopenPending) {
      if ((statSync(postgres.logFile, { throwIfNoEntry: false })?.size ?? 0) < policy.maxBytes) return;
      try {
        shiftRotated(postgres.logFile, policy.keep);
      } catch (error) {
        return failed(error);
      }
      reopenPending = true;
    }
    busy = true;
    postgres
      .reopenLog()
      .then(() => (reopenPending = false), failed)
      .finally(() => (busy = false));
  }, options.intervalMs ?? 30_000);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

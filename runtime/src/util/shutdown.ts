import type { Logger } from './log';

/**
 * Runs `stop` once on SIGTERM or SIGINT, then exits. A second signal while stopping exits at
 * once, so an operator is never stuck behind a hung shutdown.
 */
export function onShutdown(log: Logger, stop: () => Promise<void>): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(1);
    stopping = true;
    log.info({ signal }, 'shutting down');
    stop()
      .catch((error: unknown) => log.error({ err: (error as Error).message }, 'shutdown failed'))
      .finally(() => process.exit(0));
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
}

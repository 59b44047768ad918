import pino from 'pino';

/**
 * One JSON-lines logger per process, on stdout: the supervisor sends each child's stdout to
 * its own log file, and Kubernetes collects container stdout. `component` names the service.
 */
export function createLogger(component: string, fields: Record<string, string> = {}): pino.Logger {
  return pino({ base: { component, ...fields }, level: process.env.POLYGRES_LOG_LEVEL ?? 'info' });
}

export type Logger = pino.Logger;

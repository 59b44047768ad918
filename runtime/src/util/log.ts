import pino from 'pino';

/**
 * One JSON-lines logger per process, on stdout: the supervisor sends each child's stdout to
 * its own log file, and Kubernetes collects container stdout. `component` names the service.
 * The supervisor, which has no one to send its stdout to, passes its own log file instead.
 */
export function createLogger(component: string, fields: Record<string, string> = {}, destination?: pino.DestinationStream): pino.Logger {
  const options = { base: { component, ...fields }, level: process.env.POLYGRES_LOG_LEVEL ?? 'info' };
  return destination ? pino(options, destination) : pino(options);
}

export type Logger = pino.Logger;

/**
 * `polygres supervise`: runs a prepared cluster's processes under a Supervisor until
 * SIGTERM or SIGINT. Every supervisor event is logged to supervisor.log as a JSON line (pino,
 * like the services' lines), which is how `polygres up` in the foreground shows crashes as they
 * happen.
 */
import { readPidFile, removeFile, writePidFile } from '../util/processes';
import { clusterChildren } from './children';
import { type ClusterLayout, layoutFile } from '../deployment/layout';
import { readLayout } from '../deployment/layout-file';
import { supervisorLogFile, supervisorPidFile, supervisorStateFile } from './supervisor-files';
import { Supervisor } from './supervisor';
import { eventLevel, eventSentence } from './describe-event';
import { RotatingFile } from '../logs/rotating-file';
import { createLogger } from '../util/log';

export interface RunningCluster {
  readonly supervisor: Supervisor;
  /** Resolves once every process has stopped. */
  readonly stopped: Promise<void>;
  stop(): Promise<void>;
  /** Starts and stops children to match the layout as it is now on disk (SIGHUP). */
  reload(): Promise<void>;
}

export function superviseCluster(layout: ClusterLayout): RunningCluster {
  const pidFile = supervisorPidFile(layout);
  const supervisor = new Supervisor(clusterChildren(layout), { stateFile: supervisorStateFile(layout) });
  const log = createLogger('supervisor', {}, new RotatingFile(supervisorLogFile(layout)));
  supervisor.on('event', (event) => log[eventLevel(event)](event, eventSentence(event)));
  writePidFile(pidFile, process.pid);
  let resolveStopped: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => (resolveStopped = resolve));
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= supervisor.stop().finally(() => {
      if (readPidFile(pidFile) === process.pid) removeFile(pidFile);
      resolveStopped();
    });
    return stopping;
  };
  supervisor.start();
  const reload = () => supervisor.reconcile(clusterChildren(readLayout(layoutFile(layout.stateDir))));
  return { supervisor, stopped, stop, reload };
}

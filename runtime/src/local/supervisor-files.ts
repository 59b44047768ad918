import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ClusterLayout, serviceDirOf } from '../deployment/layout';
import { isOurProcess } from '../util/processes';
import type { ChildState } from './supervisor';

export function supervisorPidFile(layout: ClusterLayout): string {
  return join(layout.runDir, 'supervisor.pid');
}

export function supervisorStateFile(layout: ClusterLayout): string {
  return join(layout.runDir, 'supervisor.json');
}

export function supervisorLogFile(layout: ClusterLayout): string {
  return join(layout.logDir, 'supervisor.log');
}

/**
 * Is `pid` a process of this cluster? Its command line names the state directory (the
 * supervisor) or the service directory (the services read their files there; it is the state
 * directory unless relocated), so a recycled pid is never taken for one of ours.
 */
export function isClusterProcess(pid: number, layout: ClusterLayout): boolean {
  return isOurProcess(pid, layout.stateDir) || isOurProcess(pid, serviceDirOf(layout));
}

/** The children as the supervisor last recorded them; empty when it never ran. */
export function readSupervisorState(layout: ClusterLayout): { pid: number; children: ChildState[] } | undefined {
  try {
    return JSON.parse(readFileSync(supervisorStateFile(layout), 'utf8')) as { pid: number; children: ChildState[] };
  } catch {
    return undefined;
  }
}

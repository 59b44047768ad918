import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ClusterLayout } from './layout';
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

/** The children as the supervisor last recorded them; empty when it never ran. */
export function readSupervisorState(layout: ClusterLayout): { pid: number; children: ChildState[] } | undefined {
  try {
    return JSON.parse(readFileSync(supervisorStateFile(layout), 'utf8')) as { pid: number; children: ChildState[] };
  } catch {
    return undefined;
  }
}

/**
 * A local cluster as the provider sees it, from its state directory: the layout, the
 * secrets, the spec it was started with, and whether all its processes are running.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ProviderError } from '../protocol/diagnostics';
import { runtime } from '../runtime/runtime';

type ClusterLayout = import('@polygres/runtime').ClusterLayout;
type ClusterSpec = import('@polygres/runtime').ClusterSpec;

export interface LocalCluster {
  readonly stateDir: string;
  readonly layout: ClusterLayout;
  readonly superuserPassword: string;
  /** The spec `polygres up` wrote into the state directory (defaults filled in). */
  readonly spec: ClusterSpec;
}

export function hasCluster(stateDir: string): boolean {
  return existsSync(runtime().local.layoutFile(resolve(stateDir)));
}

/** The cluster in `stateDir`; an error at `attribute` when there is none. */
export function openCluster(stateDir: string, attribute: string): LocalCluster {
  if (/^https?:\/\//.test(stateDir)) {
    throw new ProviderError('this needs a cluster on this machine', `${stateDir} is a cluster given by endpoint; backups, their schedule, roles and databases are managed on the local target only`, [attribute]);
  }
  const dir = resolve(stateDir);
  if (!hasCluster(dir)) throw new ProviderError(`no Polygres cluster in ${dir}`, `${dir}/layout.json does not exist; give the state directory of a cluster started by polygres_cluster or polygres up`, [attribute]);
  const layout = runtime().local.readLayoutOfStateDir(dir);
  const { superuserPassword } = runtime().local.readSecrets(layout.secretsFile);
  const spec = JSON.parse(readFileSync(layout.specFile, 'utf8')) as ClusterSpec;
  return { stateDir: dir, layout, superuserPassword, spec };
}

/**
 * Running means the supervisor is alive and every process it supervises is up: a killed
 * supervisor (or a child it gave up on) is drift that the next apply repairs.
 */
export function allProcessesRunning(layout: ClusterLayout): boolean {
  const { readSupervisorState, isOurProcess, isClusterProcess } = runtime().local;
  const state = readSupervisorState(layout);
  if (!state || !isOurProcess(state.pid, layout.stateDir)) return false;
  return state.children.length > 0 && state.children.every((child) => child.running && child.pid !== null && isClusterProcess(child.pid, layout));
}

import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { layoutFile } from '../deployment/layout';
import { NoClusterError, UsageError } from './cli-errors';

/**
 * The state directory a command acts on: --state-dir when given; otherwise the one cluster
 * under ./.polygres (the default `polygres up` uses), so `polygres status` just works.
 */
export function resolveStateDir(given: string | undefined): string {
  if (given) return resolve(given);
  const root = resolve('.polygres');
  const clusters = existsSync(root) ? readdirSync(root).filter((name) => existsSync(layoutFile(join(root, name)))) : [];
  if (clusters.length === 1 && clusters[0]) return join(root, clusters[0]);
  if (clusters.length > 1) throw new UsageError(`several clusters under ${root} (${clusters.join(', ')}); pass --state-dir`);
  return join(root, 'local');
}

/** The state directory of an existing cluster: commands that act on one say so when there is none. */
export function clusterStateDir(given: string | undefined): string {
  const stateDir = resolveStateDir(given);
  if (!existsSync(layoutFile(stateDir))) throw new NoClusterError(stateDir);
  return stateDir;
}

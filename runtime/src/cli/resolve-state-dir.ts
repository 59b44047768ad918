import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { layoutFile } from '../deployment/layout';

/**
 * The state directory a command acts on: --state-dir when given; otherwise the one cluster
 * under ./.polygres (the default `polygres up` uses), so `polygres status` just works.
 */
export function resolveStateDir(given: string | undefined): string {
  if (given) return resolve(given);
  const root = resolve('.polygres');
  const clusters = existsSync(root) ? readdirSync(root).filter((name) => existsSync(layoutFile(join(root, name)))) : [];
  if (clusters.length === 1 && clusters[0]) return join(root, clusters[0]);
  if (clusters.length > 1) throw new Error(`several clusters under ${root} (${clusters.join(', ')}); pass --state-dir`);
  return join(root, 'local');
}

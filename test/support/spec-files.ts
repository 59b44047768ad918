/** Specs for `polygres apply`: the one a cluster runs, changed, in a file of its own. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LocalCluster } from './local-cluster';

export function runningSpecWith(cluster: LocalCluster, dir: string, name: string, edit: (spec: Record<string, any>) => void): string {
  const spec = JSON.parse(readFileSync(cluster.layout.specFile, 'utf8')) as Record<string, any>;
  edit(spec);
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(spec, null, 2));
  return file;
}

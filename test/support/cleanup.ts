import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { stopCluster } from '../../runtime/src/local/down';
import { layoutFile } from '../../runtime/src/deployment/layout';
import { stopLoosePostgres } from './postgres-server';

/** POLYGRES_TEST_KEEP=1: the run's clusters are stopped but kept, with their state and logs, to read after a failure. */
export function keepingTestFiles(): boolean {
  return process.env.POLYGRES_TEST_KEEP === '1';
}

/** Stops every cluster (a directory with layout.json) and every loose Postgres under `root`; purges the clusters unless kept. */
export async function stopEverythingUnder(root: string): Promise<void> {
  if (!existsSync(root)) return;
  for (const name of readdirSync(root)) {
    const dir = join(root, name);
    if (!statSync(dir).isDirectory()) continue;
    if (existsSync(layoutFile(dir))) {
      await stopCluster({ stateDir: dir, purge: !keepingTestFiles(), out: () => undefined }).catch(() => undefined);
    } else {
      await stopLoosePostgres(dir);
      await stopEverythingUnder(dir);
    }
  }
}

import { readFileSync, writeFileSync } from 'node:fs';
import type { ClusterLayout } from './layout';
import { layoutFile } from './layout';

export function readLayout(file: string): ClusterLayout {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as ClusterLayout;
  } catch (error) {
    throw new Error(`cannot read cluster layout ${file}: ${(error as Error).message}`);
  }
}

export function readLayoutOfStateDir(stateDir: string): ClusterLayout {
  return readLayout(layoutFile(stateDir));
}

export function writeLayout(layout: ClusterLayout): void {
  writeFileSync(layoutFile(layout.stateDir), `${JSON.stringify(layout, null, 2)}\n`);
}

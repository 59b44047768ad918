import { readFileSync, writeFileSync } from 'node:fs';
import type { ClusterLayout } from './layout';
import { layoutFile, serviceLayoutFile } from './layout';

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

/** Writes the layout into the state directory, and the services' copy into the service directory. */
export function writeLayout(layout: ClusterLayout): void {
  const text = `${JSON.stringify(layout, null, 2)}\n`;
  writeFileSync(layoutFile(layout.stateDir), text, { mode: 0o644 });
  if (serviceLayoutFile(layout) !== layoutFile(layout.stateDir)) writeFileSync(serviceLayoutFile(layout), text, { mode: 0o644 });
}

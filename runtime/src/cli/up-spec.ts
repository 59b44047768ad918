/**
 * Which spec `polygres up` runs. A new state directory: the file given, or the default. One
 * that holds a cluster already: the spec it was started with — a different one given with
 * --spec is refused with the changes it would make, since starting services never changes a
 * running cluster safely; `polygres apply` does.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { layoutFile } from '../deployment/layout';
import { readLayout } from '../deployment/layout-file';
import { defaultStateDir } from '../local/prepare';
import { defaultSpec } from '../spec/defaults';
import { loadSpecFile } from '../spec/load';
import type { ClusterSpec } from '../spec/schema';
import type { SpecProblem } from '../spec/spec-error';
import { describeChange, specChanges } from '../spec/spec-changes';
import { UsageError } from './cli-errors';

export function specForUp(specFile: string | undefined, stateDirOption: string | undefined): { spec: ClusterSpec; warnings: readonly SpecProblem[] } {
  const given = specFile ? loadSpecFile(specFile) : undefined;
  const stateDir = resolve(stateDirOption ?? defaultStateDir((given?.spec ?? defaultSpec()).name));
  if (!existsSync(layoutFile(stateDir))) return given ?? { spec: defaultSpec(), warnings: [] };
  const stored = loadSpecFile(readLayout(layoutFile(stateDir)).specFile);
  if (!given) return stored;
  // Another cluster's directory: prepare says so, with the way out.
  if (given.spec.name !== stored.spec.name) return given;
  const changes = specChanges(stored.spec, given.spec);
  if (changes.length === 0) return given;
  throw new UsageError(
    `${stateDir} holds cluster "${stored.spec.name}" with another spec; up does not change a cluster. Start it as it is (polygres up --state-dir ${stateDir}), then apply the new spec with polygres apply --spec ${specFile} --state-dir ${stateDir}. The changes:\n${changes.map((change) => `  ${describeChange(change)}`).join('\n')}`,
  );
}

/**
 * Integration-suite set-up: one temporary root for every cluster and Postgres the tests
 * start, handed to the test files with `provide`. The teardown stops whatever is still
 * running under it — the net that catches a failed test's processes — and removes it, unless
 * POLYGRES_TEST_KEEP=1 asks to keep it (its clusters' logs, to read after a failure).
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { keepingTestFiles, stopEverythingUnder } from './cleanup';

declare module 'vitest' {
  export interface ProvidedContext {
    testRoot: string;
  }
}

export default function setup(project: TestProject): () => Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'polygres-tests-'));
  // Postgres runs as an unprivileged user when the tests run as root: it must reach its data.
  chmodSync(root, 0o755);
  project.provide('testRoot', root);
  return async () => {
    await stopEverythingUnder(root);
    if (keepingTestFiles()) console.log(`kept the test root: ${root}`);
    else rmSync(root, { recursive: true, force: true });
  };
}

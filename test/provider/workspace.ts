/**
 * What each provider test needs around terraform: a directory under the suite's root that
 * the postgres user can reach, a claimed block of ports, and a cleanup that stops a cluster a
 * failed test left behind. Plus psql and `polygres status`, as a user would check.
 */
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { inject } from 'vitest';
import type { LocalClusterStatus } from '../../runtime/src/cli/status-command';
import { type PortBlock, claimPortBlock } from '../support/ports';
import { polygres } from '../support/polygres-cli';

export interface Workspace {
  readonly work: string;
  /** Where the test's cluster lives (not created yet). */
  readonly stateDir: string;
  readonly block: PortBlock;
  cleanup(): Promise<void>;
}

export async function openWorkspace(prefix: string): Promise<Workspace> {
  const work = mkdtempSync(join(inject('testRoot'), prefix));
  // Postgres and pgBackRest run as the unprivileged postgres user: it must reach the state directory.
  chmodSync(work, 0o755);
  const stateDir = join(work, 'cluster');
  const block = await claimPortBlock();
  return {
    work,
    stateDir,
    block,
    async cleanup() {
      if (existsSync(join(stateDir, 'layout.json'))) await polygres(['down', '--purge', '--yes', '--state-dir', stateDir]);
      block.release();
    },
  };
}

/** Runs one statement with the real psql and returns its unaligned output. */
export function psql(url: string, sql: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('psql', [url, '-X', '-At', '-v', 'ON_ERROR_STOP=1', '-c', sql], { timeout: 60_000 }, (error, stdout, stderr) => (error ? reject(new Error(`psql: ${stderr}`)) : resolve(stdout.trim())));
  });
}

/** `polygres status --json` through the real CLI. */
export async function clusterStatus(stateDir: string): Promise<LocalClusterStatus> {
  const result = await polygres(['status', '--json', '--state-dir', stateDir]);
  if (result.code !== 0) throw new Error(`polygres status failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as LocalClusterStatus;
}

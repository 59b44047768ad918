/**
 * Point-in-time restores for tests: a ledger written in phases (100 rows each), the time to
 * restore to, and `polygres restore` into a fresh state directory on ports of its own.
 */
import { join } from 'node:path';
import { type LocalCluster, localClusterAt } from './local-cluster';
import { claimPortBlock } from './ports';
import { polygres } from './polygres-cli';

export const LEDGER = 'CREATE TABLE ledger (id int PRIMARY KEY, phase text NOT NULL)';

/** Commits the 100 rows of `phase`, ids `from` to `from + 99`. */
export function writePhase(cluster: LocalCluster, phase: string, from: number): Promise<unknown> {
  return cluster.query(`INSERT INTO ledger SELECT id, '${phase}' FROM generate_series(${from}, ${from + 99}) AS id`);
}

/** Rows per phase: what a restore kept. */
export async function phasesOf(cluster: LocalCluster): Promise<Record<string, number>> {
  const rows = await cluster.query<{ phase: string; n: string }>('SELECT phase, count(*) AS n FROM ledger GROUP BY phase ORDER BY phase');
  return Object.fromEntries(rows.map((row) => [row.phase, Number(row.n)]));
}

/** The server's clock now, as `--target-time` takes it (UTC, with its zone). */
export async function serverTime(cluster: LocalCluster): Promise<string> {
  const rows = await cluster.query<{ noted: string }>(`SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || '+00' AS noted`);
  return rows[0]!.noted;
}

/** Runs `polygres restore` from `source` into `<root>/restored-<name>` and attaches to the new cluster. */
export async function restoreFrom(source: LocalCluster, root: string, name: string, target: string[]): Promise<LocalCluster> {
  const block = await claimPortBlock();
  const stateDir = join(root, `restored-${name}`);
  const result = await polygres(['restore', '--from-state-dir', source.stateDir, '--state-dir', stateDir, '--name', name, '--base-port', String(block.base), '--detach', ...target]);
  if (result.code !== 0) {
    block.release();
    throw new Error(`polygres restore failed (${result.code}):\n${result.stdout}\n${result.stderr}`);
  }
  return localClusterAt(stateDir, block, result.stdout);
}

/** The backups of a local cluster's stanza, through the real CLI (`polygres backups --json`). */
import type { StanzaInfo } from '../../runtime/src/backup/pgbackrest-runner';
import { waitFor } from '../../runtime/src/util/net';
import type { LocalCluster } from './local-cluster';
import { polygres } from './polygres-cli';

export async function listBackups(stateDir: string): Promise<StanzaInfo> {
  const result = await polygres(['backups', '--json', '--state-dir', stateDir]);
  if (result.code !== 0) throw new Error(result.stderr);
  return JSON.parse(result.stdout) as StanzaInfo;
}

/** Closes the primary's current WAL segment, waits until the repository has it, and returns its name. */
export async function archiveCurrentWal(cluster: LocalCluster): Promise<string> {
  const segment = (await cluster.query<{ segment: string }>('SELECT pg_walfile_name(pg_switch_wal()) AS segment'))[0]!.segment;
  await waitFor(`WAL ${segment} archived`, async () => ((await listBackups(cluster.stateDir)).walMax! >= segment ? true : undefined), { timeoutMs: 60_000, intervalMs: 500 });
  return segment;
}

/**
 * The backups of a local cluster's stanza, through the real CLI (`polygres backups --json`),
 * and a standby rebuilt from them.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { StanzaInfo } from '../../runtime/src/backup/pgbackrest-runner';
import { waitFor } from '../../runtime/src/util/net';
import { freezeProcess, killPostgres, supervisedPid } from './faults';
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

export interface RebuiltStandby {
  readonly name: string;
  readonly port: number;
  /** The standby's pooler log from the moment it began restoring. */
  readonly logSinceRestore: string;
}

/**
 * Deletes a standby's data directory and waits until its pooler has rebuilt it from the
 * latest backup and it streams again. `meanwhile` runs once the directory is gone (say, a
 * write the standby must then receive).
 */
export async function rebuildStandbyFromBackup(cluster: LocalCluster, meanwhile: () => Promise<unknown> = async () => undefined): Promise<RebuiltStandby> {
  const status = await cluster.statusNow();
  const standby = status.instances.find((i) => i.name !== status.primary)!;
  const pgdata = join(cluster.layout.instances.find((i) => i.name === standby.name)!.instanceDir, 'pgdata');
  // Freeze the pooler so it cannot restart Postgres before the directory is gone.
  const thaw = freezeProcess(supervisedPid(cluster, `pooler-${standby.name}`));
  try {
    killPostgres(cluster, standby.name);
    rmSync(pgdata, { recursive: true, force: true });
  } finally {
    thaw();
  }
  await meanwhile();
  const poolerLog = () => readFileSync(join(cluster.layout.logDir, `pooler-${standby.name}.log`), 'utf8');
  await waitFor('the restore from backup', () => (poolerLog().includes(RESTORING) ? true : undefined), { timeoutMs: 60_000, intervalMs: 200 });
  await cluster.waitForStatus(`${standby.name} streaming again`, (s) => s.instances.some((i) => i.name === standby.name && i.healthy && i.phase === 'running' && i.replicationState === 'streaming'), 120_000);
  const log = poolerLog();
  return { name: standby.name, port: standby.port, logSinceRestore: log.slice(log.indexOf(RESTORING)) };
}

/** What a pooler logs when it restores a standby (runtime/src/agent/instance-operations.ts). */
const RESTORING = 'restoring a standby from the latest backup';

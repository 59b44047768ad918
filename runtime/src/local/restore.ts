/**
 * `polygres restore`: a new local cluster from another cluster's pgBackRest repository, at a
 * point in time. The source keeps running and is only read from (its repository, its spec,
 * its credentials). The new cluster gets its own name, hence its own stanza in the same
 * repositories, so the two never archive into each other's WAL.
 *
 * The restored data directory becomes the new cluster's first instance: pgBackRest restores
 * the right backup, a one-off Postgres (on that instance's port, archiving off) replays WAL to
 * the target and promotes, the source's consensus history is cleared (the new cluster starts
 * at term 1), and `polygres up` takes over: the other instances clone from it, the new stanza
 * is created and its first full backup taken.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Client } from 'pg';
import { archiveCommands, stanzaName } from '../backup/pgbackrest-config';
import { MISSING_STANZA, PgBackRest, type RestoreTarget } from '../backup/pgbackrest-runner';
import { openTopoStore } from '../deployment/topo-access';
import type { PostgresControl } from '../postgres/postgres-control';
import { loadSpecFile } from '../spec/load';
import { validateSpec } from '../spec/validate';
import type { ClusterSpec } from '../spec/schema';
import { sleep } from '../util/net';
import { backupFilesOf, passphraseFile, resolvedBackup } from '../deployment/backup-files';
import { archiveSourceWal } from './archive-source-wal';
import { stopCluster } from './down';
import { instancePostgres } from '../postgres/instance-postgres';
import { type ClusterLayout, serviceDirOf } from '../deployment/layout';
import { readLayoutOfStateDir } from '../deployment/layout-file';
import { prepareCluster } from './prepare';
import { type ClusterSecrets, readSecrets } from '../deployment/secrets';
import { up } from './up';
import { connectIfWritable } from './writable-connection';

export interface RestoreOptions {
  /** State directory of the cluster whose repository is restored from (it may keep running). */
  readonly fromStateDir: string;
  /** State directory of the new cluster: must not exist, or be empty. */
  readonly stateDir: string;
  readonly basePort?: number;
  /** Name of the new cluster (default `<source>-restored`); it names the new stanza too. */
  readonly name?: string;
  readonly target: RestoreTarget;
  readonly detach: boolean;
  readonly out: (line: string) => void;
}

export async function restoreCluster(options: RestoreOptions): Promise<ClusterLayout> {
  const { out } = options;
  const stateDir = resolve(options.stateDir);
  refuseNonEmpty(stateDir);
  const source = readSource(resolve(options.fromStateDir));
  // Validated like any spec: the name must still be a valid cluster name. The new cluster keeps
  // the source's repositories (its own stanza in them): a relative path is the source's.
  const { spec } = validateSpec({ ...source.spec, backup: resolvedBackup(source.layout, source.spec), name: options.name ?? `${source.layout.cluster}-restored` }, '--name');
  if (spec.name === source.layout.cluster) throw new Error(`--name ${spec.name} is the source cluster's own name: the restored cluster needs its own (it names its stanza)`);
  const sourceFiles = backupFilesOf(source.layout, source.spec)!;
  const repository = new PgBackRest(sourceFiles.configFile, sourceFiles.stanza, source.layout.postgresUser);
  const info = await repository.info();
  if (info.backups.length === 0) throw new Error(`stanza ${sourceFiles.stanza} has no backup to restore (status: ${info.status}); take one with polygres backup --state-dir ${source.layout.stateDir}`);
  const newStanza = await new PgBackRest(sourceFiles.configFile, stanzaName(spec.name), source.layout.postgresUser).info();
  if (newStanza.status !== MISSING_STANZA) {
    throw new Error(`the repository already holds a stanza ${stanzaName(spec.name)} (a cluster named "${spec.name}" archived there before): choose another --name`);
  }

  const archiving = await archiveSourceWal(source.layout, source.secrets.superuserPassword);
  out('archived' in archiving ? `The source's WAL is archived up to now (segment ${archiving.archived}).` : `Note: ${archiving.skipped}.`);

  mkdirSync(stateDir, { recursive: true, mode: 0o755 });
  // The restored database keeps the source's roles, so it keeps their passwords; an encrypted
  // repository keeps its passphrase.
  const passphrase = passphraseFile(source.layout);
  const backupPassphrase = existsSync(passphrase) ? readFileSync(passphrase, 'utf8') : undefined;
  let layout: ClusterLayout | undefined;
  try {
    layout = await prepareCluster({ spec, stateDir, ...(options.basePort !== undefined ? { basePort: options.basePort } : {}), ...(backupPassphrase ? { backupPassphrase } : {}) });
    const secrets: ClusterSecrets = { ...readSecrets(layout.secretsFile), superuserPassword: source.secrets.superuserPassword, replicationPassword: source.secrets.replicationPassword };
    writeFileSync(layout.secretsFile, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
    await restoreFirstInstance(layout, secrets, repository, sourceFiles, options.target, out);
  } catch (error) {
    out(`Restore failed; removing ${stateDir}.`);
    await stopCluster({ stateDir, purge: true, out: () => undefined });
    throw error;
  }
  const restoredFrom = `${source.layout.cluster}, ${describeTarget(options.target)}`;
  return up({ spec, stateDir, basePort: layout.basePort, detach: options.detach, out, onReady: (ready) => recordRestore(ready, restoredFrom, out) });
}

/** The restore is the first entry of the new cluster's history (the status page shows it). */
async function recordRestore(layout: ClusterLayout, restoredFrom: string, out: (line: string) => void): Promise<void> {
  const topo = openTopoStore(layout);
  try {
    const term = (await topo.getRule())?.value.term ?? 1;
    await topo.appendHistory({ term, action: 'restore', by: 'polygres restore', at: new Date().toISOString(), outcome: 'done', detail: `restored from ${restoredFrom}` });
  } catch (error) {
    out(`Note: the restore could not be recorded in the history: ${(error as Error).message}`);
  } finally {
    topo.close();
  }
}


function refuseNonEmpty(stateDir: string): void {
  if (existsSync(stateDir) && readdirSync(stateDir).length > 0) {
    throw new Error(`refusing to restore into ${stateDir}: it is not empty, and a restore never overwrites data. Choose a new --state-dir (or remove that one with polygres down --purge --state-dir ${stateDir}).`);
  }
}

function readSource(stateDir: string): { layout: ClusterLayout; spec: ClusterSpec; secrets: ClusterSecrets } {
  let layout: ClusterLayout;
  try {
    layout = readLayoutOfStateDir(stateDir);
  } catch {
    throw new Error(`--from-state-dir ${stateDir} holds no Polygres cluster (no layout.json)`);
  }
  const { spec } = loadSpecFile(layout.specFile);
  if (!spec.backup) throw new Error(`cluster "${layout.cluster}" has no backup section in its spec, so there is nothing to restore from`);
  return { layout, spec, secrets: readSecrets(layout.secretsFile) };
}

async function restoreFirstInstance(
  layout: ClusterLayout,
  secrets: ClusterSecrets,
  repository: PgBackRest,
  sourceFiles: { configFile: string; stanza: string },
  target: RestoreTarget,
  out: (line: string) => void,
): Promise<void> {
  const instance = layout.instances[0]!;
  const postgres = instancePostgres(layout, instance);
  postgres.prepareInstanceDir({ replication: secrets.replicationPassword, superuser: secrets.superuserPassword });
  postgres.emptyDataDir();
  const backupDir = join(serviceDirOf(layout), 'backup');
  const paths = { lockPath: join(backupDir, 'lock', instance.name), spoolPath: join(backupDir, 'spool', instance.name), logPath: join(backupDir, 'log') };
  const { restoreCommand } = archiveCommands(sourceFiles.configFile, sourceFiles.stanza, { dataDir: postgres.dataDir, ...paths });
  out(`Restoring stanza ${sourceFiles.stanza} (${describeTarget(target)}) into ${instance.name}...`);
  await repository.restoreToTarget(postgres.dataDir, target, paths, restoreCommand);
  out('Replaying archived WAL up to the target...');
  await postgres.start({
    wait: false,
    settings: { port: String(instance.port), listen_addresses: instance.host, unix_socket_directories: instance.socketDir, archive_mode: 'off', synchronous_standby_names: '', hot_standby: 'on' },
  });
  try {
    const client = await waitForPromotion(postgres, { host: instance.host, port: instance.port, password: secrets.superuserPassword });
    try {
      // The source's terms mean nothing here: the new cluster's history starts at term 1.
      await client.query(`DO $$ BEGIN IF to_regclass('polygres.rule_history') IS NOT NULL THEN TRUNCATE polygres.rule_history; END IF; END $$`);
      await client.query('CHECKPOINT');
    } finally {
      await client.end();
    }
  } finally {
    await postgres.stop('fast');
  }
}

/** Waits until recovery has reached the target and the server accepts writes. */
async function waitForPromotion(postgres: PostgresControl, server: { host: string; port: number; password: string }): Promise<Client> {
  for (;;) {
    if (postgres.postmasterPid() === undefined) {
      throw new Error(`recovery stopped before the target was reached (is the target after the end of the archive, or before the backup it needs?):\n${postgres.logTail()}`);
    }
    // Not accepting connections yet while it replays to a consistent state.
    const client = await connectIfWritable(server, server.password);
    if (client) return client;
    await sleep(250);
  }
}

function describeTarget(target: RestoreTarget): string {
  if ('time' in target) return `to time ${target.time}`;
  if ('lsn' in target) return `to LSN ${target.lsn}`;
  if ('name' in target) return `to restore point ${target.name}`;
  return 'to the end of the archive';
}

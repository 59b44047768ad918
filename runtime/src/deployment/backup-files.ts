/**
 * The local target's pgBackRest set-up: one configuration for the cluster's stanza in
 * `<state-dir>/backup`, readable by the Postgres OS user (archive_command runs as it), with
 * spool, log and lock directories beside it. Secrets named by the spec come from environment
 * variables (`POLYGRES_SECRET_<NAME>` holding JSON: {"key","keySecret"} for S3,
 * {"passphrase"} for encryption; an S3 repository without a secret needs none); a missing
 * encryption passphrase is generated once and kept with the cluster's other secrets.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { type BackupSecrets, archiveCommands, renderPgBackRestConf, stanzaName } from '../backup/pgbackrest-config';
import type { BackupSpec, ClusterSpec } from '../spec/schema';
import { type ClusterLayout, type InstanceLayout, serviceDirOf } from './layout';
import { giveTo } from '../util/os-account';

export interface BackupFiles {
  readonly configFile: string;
  readonly stanza: string;
}

export function backupFilesOf(layout: ClusterLayout, spec: ClusterSpec): BackupFiles | undefined {
  if (!spec.backup) return undefined;
  return { configFile: join(serviceDirOf(layout), 'backup', 'pgbackrest.conf'), stanza: stanzaName(layout.cluster) };
}

/**
 * The spec's backup section with each relative posix repository path made absolute, inside
 * the cluster's own directory (the state directory, or where the services keep their files
 * when the Postgres account cannot reach it): the default spec's repository lives there.
 */
export function resolvedBackup(layout: ClusterLayout, spec: ClusterSpec): BackupSpec | undefined {
  if (!spec.backup) return undefined;
  const repositories = spec.backup.repositories.map((repository) => (repository.type === 'posix' && !isAbsolute(repository.path) ? { ...repository, path: join(serviceDirOf(layout), repository.path) } : repository));
  return { ...spec.backup, repositories };
}

/** The archive and restore commands of one instance (its own data directory, spool and lock). */
export function instanceArchiveCommands(layout: ClusterLayout, spec: ClusterSpec, instance: InstanceLayout): { archiveCommand: string; restoreCommand: string } | undefined {
  const files = backupFilesOf(layout, spec);
  if (!files) return undefined;
  const dir = join(serviceDirOf(layout), 'backup');
  return archiveCommands(files.configFile, files.stanza, {
    dataDir: join(instance.instanceDir, 'pgdata'),
    spoolPath: join(dir, 'spool', instance.name),
    lockPath: join(dir, 'lock', instance.name),
  });
}

/** Renders the configuration (every start, so spec and secret changes take effect). */
export function writeBackupConfig(layout: ClusterLayout, spec: ClusterSpec): BackupFiles | undefined {
  const files = backupFilesOf(layout, spec);
  const backup = resolvedBackup(layout, spec);
  if (!files || !backup) return files;
  const dir = join(serviceDirOf(layout), 'backup');
  const paths = { spoolPath: join(dir, 'spool'), logPath: join(dir, 'log'), lockPath: join(dir, 'lock') };
  const perInstance = layout.instances.flatMap((instance) => [join(paths.spoolPath, instance.name), join(paths.lockPath, instance.name)]);
  for (const path of [dir, ...Object.values(paths), ...perInstance]) {
    mkdirSync(path, { recursive: true, mode: 0o750 });
    own(layout, path);
  }
  for (const repository of backup.repositories) {
    if (repository.type === 'posix') {
      mkdirSync(repository.path, { recursive: true, mode: 0o750 });
      own(layout, repository.path);
    }
  }
  const text = renderPgBackRestConf(
    backup,
    {
      stanza: files.stanza,
      instances: layout.instances.map((instance) => ({ name: instance.name, dataDir: join(instance.instanceDir, 'pgdata'), port: instance.port, socketDir: instance.socketDir })),
      user: 'postgres',
      ...paths,
    },
    resolveSecrets(layout, spec),
  );
  // Every pooler renders it at start too (on Kubernetes nothing else does): replace the file
  // atomically, so a concurrent archive_command never reads half of it.
  const temporary = `${files.configFile}.${process.pid}.tmp`;
  writeFileSync(temporary, text, { mode: 0o640 });
  own(layout, temporary);
  renameSync(temporary, files.configFile);
  return files;
}

function resolveSecrets(layout: ClusterLayout, spec: ClusterSpec): BackupSecrets {
  const s3 = new Map<string, { key: string; keySecret: string }>();
  for (const repository of spec.backup?.repositories ?? []) {
    // Without a secret the repository uses the machine's or pod's identity (keyType auto or web-id).
    if (repository.type !== 's3' || !repository.credentialsSecret) continue;
    const value = fromEnvironment(repository.credentialsSecret) as { key?: string; keySecret?: string } | undefined;
    if (value?.key && value.keySecret) s3.set(repository.credentialsSecret, { key: value.key, keySecret: value.keySecret });
  }
  const secretName = spec.backup?.encryption?.passphraseSecret;
  if (!secretName) return { s3 };
  const given = (fromEnvironment(secretName) as { passphrase?: string } | undefined)?.passphrase;
  return { s3, passphrase: given ?? generatedPassphrase(layout) };
}

function fromEnvironment(name: string): unknown {
  const text = process.env[`POLYGRES_SECRET_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`];
  return text ? JSON.parse(text) : undefined;
}

/** Where a local cluster keeps the encryption passphrase it generated (a restore carries it over). */
export function passphraseFile(layout: ClusterLayout): string {
  return join(serviceDirOf(layout), 'backup-passphrase');
}

/**
 * Keeps `passphrase` (or, without one, a new random one) unless the cluster has one already;
 * returns the one it has. The services' account owns it: the poolers read it.
 */
export function keepPassphrase(layout: ClusterLayout, passphrase = randomBytes(32).toString('base64url')): string {
  const file = passphraseFile(layout);
  try {
    writeFileSync(file, passphrase, { mode: 0o600, flag: 'wx' });
    own(layout, file);
  } catch (error) {
    // Kept once: another process (or an earlier start) got there first.
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return readFileSync(file, 'utf8');
}

function generatedPassphrase(layout: ClusterLayout): string {
  return keepPassphrase(layout);
}

function own(layout: ClusterLayout, path: string): void {
  giveTo(layout.postgresUser, path);
}

/**
 * pgBackRest configuration rendered from the spec's `backup` section (ARCHITECTURE.md, backups): one stanza
 * per shard listing every instance of the cluster (so backups can be taken from a standby),
 * up to four repositories (posix or S3, with an access key or the machine's or pod's identity), cipher, retention, compression, and asynchronous WAL
 * archiving with a spool directory. Secret values come from a resolver and are written only
 * into this file (mode 0600), never into the spec.
 */
import { type BackupSpec, type S3RepositorySpec, s3KeyType } from '../spec/schema';

export interface PgBackRestInstance {
  readonly name: string;
  readonly dataDir: string;
  readonly port: number;
  /** Postgres' socket directory (pgBackRest connects to each server over it). */
  readonly socketDir: string;
}

export interface PgBackRestTarget {
  readonly stanza: string;
  readonly instances: readonly PgBackRestInstance[];
  /** Postgres superuser pgBackRest connects as. */
  readonly user: string;
  readonly spoolPath: string;
  readonly logPath: string;
  readonly lockPath: string;
}

export interface BackupSecrets {
  /** S3 credentials by secret name. */
  readonly s3: ReadonlyMap<string, { readonly key: string; readonly keySecret: string }>;
  readonly passphrase?: string;
}

export function stanzaName(cluster: string, shard = '0-inf'): string {
  return `${cluster}-${shard}`;
}

export function renderPgBackRestConf(backup: BackupSpec, target: PgBackRestTarget, secrets: BackupSecrets): string {
  const global: [string, string | number][] = [];
  backup.repositories.forEach((repository, index) => {
    const repo = `repo${index + 1}`;
    global.push([`${repo}-type`, repository.type]);
    if (repository.type === 'posix') {
      global.push([`${repo}-path`, repository.path]);
    } else {
      global.push(...s3Options(repo, index, repository, secrets));
    }
    global.push([`${repo}-retention-full`, backup.retention.full]);
    if (backup.retention.diff !== undefined) global.push([`${repo}-retention-diff`, backup.retention.diff]);
    if (backup.encryption) {
      if (!secrets.passphrase) throw new Error(`backup.encryption.passphraseSecret: secret "${backup.encryption.passphraseSecret}" is not available (fix: create it with "passphrase")`);
      global.push([`${repo}-cipher-type`, 'aes-256-cbc'], [`${repo}-cipher-pass`, secrets.passphrase]);
    }
  });
  global.push(['compress-type', backup.compression.type]);
  if (backup.compression.level !== undefined) global.push(['compress-level', backup.compression.level]);
  global.push(
    ['archive-async', 'y'],
    ['spool-path', target.spoolPath],
    ['log-path', target.logPath],
    ['lock-path', target.lockPath],
    ['log-level-console', 'warn'],
    ['log-level-file', 'info'],
    ['start-fast', 'y'],
    ['backup-standby', target.instances.length > 1 ? 'y' : 'n'],
    ['process-max', 2],
  );
  const stanza: [string, string | number][] = [];
  target.instances.forEach((instance, index) => {
    const pg = `pg${index + 1}`;
    stanza.push([`${pg}-path`, instance.dataDir], [`${pg}-port`, instance.port], [`${pg}-socket-path`, instance.socketDir], [`${pg}-user`, target.user]);
  });
  return `# Rendered by Polygres from the ClusterSpec's backup section; edits here are overwritten.\n${section('global', global)}\n${section(target.stanza, stanza)}`;
}

/**
 * An S3 repository's options. Only "shared" writes a key: with "auto" and "web-id" pgBackRest
 * fetches short-lived credentials itself (instance metadata, or STS with the pod's token), so
 * nothing secret lands in the file.
 */
function s3Options(repo: string, index: number, repository: S3RepositorySpec, secrets: BackupSecrets): [string, string][] {
  const keyType = s3KeyType(repository);
  const options: [string, string][] = [
    [`${repo}-path`, repository.path],
    [`${repo}-s3-bucket`, repository.bucket],
    [`${repo}-s3-region`, repository.region],
    [`${repo}-s3-endpoint`, repository.endpoint],
    [`${repo}-s3-uri-style`, repository.uriStyle],
    [`${repo}-s3-key-type`, keyType],
  ];
  if (keyType === 'shared') {
    const name = repository.credentialsSecret ?? '';
    const credentials = secrets.s3.get(name);
    if (!credentials) throw new Error(`backup.repositories[${index}].credentialsSecret: secret "${name}" is not available (fix: create it with "key" and "keySecret")`);
    options.push([`${repo}-s3-key`, credentials.key], [`${repo}-s3-key-secret`, credentials.keySecret]);
  }
  options.push([`${repo}-storage-verify-tls`, repository.verifyTls ? 'y' : 'n']);
  if (repository.caFile) options.push([`${repo}-storage-ca-file`, repository.caFile]);
  return options;
}

/**
 * One instance's archive_command and restore_command. pgBackRest finds the WAL directory
 * through pg1-path, so each instance names its own data directory; several instances on one
 * host also need their own spool and lock directories for asynchronous archiving.
 */
export function archiveCommands(
  configFile: string,
  stanza: string,
  instance?: { readonly dataDir: string; readonly spoolPath: string; readonly lockPath: string },
): { archiveCommand: string; restoreCommand: string } {
  const own = instance ? ` --pg1-path=${instance.dataDir} --spool-path=${instance.spoolPath} --lock-path=${instance.lockPath}` : '';
  const base = `pgbackrest --config=${configFile} --stanza=${stanza}${own}`;
  return { archiveCommand: `${base} archive-push %p`, restoreCommand: `${base} archive-get %f "%p"` };
}

function section(name: string, options: readonly [string, string | number][]): string {
  return `[${name}]\n${options.map(([key, value]) => `${key}=${value}`).join('\n')}\n`;
}

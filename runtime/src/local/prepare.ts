/**
 * Everything `polygres up` decides before a process starts: the spec, the layout, the
 * directories, the secrets, and the checks that fail early with a clear message (ports taken,
 * binaries missing, a state directory that belongs to another cluster).
 */
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { postgresBinDir } from '../postgres/postgres-binaries';
import type { ClusterSpec } from '../spec/schema';
import { canBind } from '../util/net';
import { isOurProcess, readPidFile } from '../util/processes';
import { type ClusterLayout, DEFAULT_BASE_PORT, type ZoneNetwork, allPorts, etcdMembers, layoutFile, planLayout, portsNeeded, serviceDirOf } from '../deployment/layout';
import { readLayout, writeLayout } from '../deployment/layout-file';
import { postgresOsUser, userCanRead, userCanReach } from '../deployment/os-user';
import { type OsUser, giveTo } from '../util/os-account';
import { POLYGRES_BIN } from './children';
import { ensureEtcdTls } from '../deployment/etcd-tls';
import { keepPassphrase, resolvedBackup, writeBackupConfig } from '../deployment/backup-files';
import { ensureSecrets } from '../deployment/secrets';
import { ensureGeneratedTls, tlsFilesFor } from '../deployment/tls-material';
import { supervisorPidFile } from './supervisor-files';
import { InvalidRequestError } from '../util/domain-errors';

export interface PrepareOptions {
  readonly spec: ClusterSpec;
  readonly stateDir?: string;
  readonly basePort?: number;
  /** The backup encryption passphrase to keep (a restore carries the source's over). */
  readonly backupPassphrase?: string;
  /** A network namespace per zone (`--zone-network`), for a new cluster. */
  readonly zoneNetworks?: Readonly<Record<string, ZoneNetwork>>;
}

export function defaultStateDir(cluster: string): string {
  return resolve('.polygres', cluster);
}

/** Creates or reuses the state directory and returns the layout every process will read. */
export async function prepareCluster(options: PrepareOptions): Promise<ClusterLayout> {
  const stateDir = resolve(options.stateDir ?? defaultStateDir(options.spec.name));
  checkTools();
  const layout = existsSync(layoutFile(stateDir)) ? reuseLayout(stateDir, options) : createLayout(stateDir, options);
  await prepareServiceFiles(layout, options.spec);
  checkRepositoriesReachable(layout, options.spec);
  if (options.backupPassphrase && options.spec.backup) keepPassphrase(layout, options.backupPassphrase);
  writeBackupConfig(layout, options.spec);
  await checkPortsFree(layout);
  return layout;
}

function createLayout(stateDir: string, options: PrepareOptions): ClusterLayout {
  const basePort = options.basePort ?? DEFAULT_BASE_PORT;
  const last = basePort + portsNeeded(options.spec) - 1;
  if (!Number.isInteger(basePort) || basePort < 1024 || last > 65535) {
    throw new InvalidRequestError(`--base-port must be an integer from 1024 to ${65535 - portsNeeded(options.spec) + 1} (this cluster uses ${portsNeeded(options.spec)} ports from it)`);
  }
  mkdirSync(stateDir, { recursive: true, mode: 0o755 });
  const postgresUser = postgresOsUser();
  // Postgres and the services run as an unprivileged user who may not be able to reach a
  // state directory under /root: what they read and write then lives under /var/lib/polygres.
  let serviceDir = stateDir;
  if (postgresUser && !userCanReach(postgresUser, stateDir)) {
    serviceDir = join('/var/lib/polygres', `${options.spec.name}-${createHash('sha256').update(stateDir).digest('hex').slice(0, 10)}`);
  }
  mkdirSync(serviceDir, { recursive: true, mode: 0o755 });
  const serviceUser = postgresUser && installationReadableBy(postgresUser) ? postgresUser : undefined;
  const layout = planLayout({
    spec: options.spec, stateDir, basePort, serviceDir,
    ...(postgresUser ? { postgresUser } : {}),
    ...(serviceUser ? { serviceUser } : {}),
    ...(options.zoneNetworks ? { zoneNetworks: options.zoneNetworks } : {}),
  });
  for (const dir of [layout.logDir, layout.runDir, layout.dataRoot]) mkdirSync(dir, { recursive: true, mode: 0o755 });
  if (postgresUser) prepareDataRoot(layout);
  writeFileSync(layout.specFile, `${JSON.stringify(options.spec, null, 2)}\n`, { mode: 0o644 });
  ensureSecrets(layout.secretsFile);
  writeLayout(layout);
  return layout;
}

function reuseLayout(stateDir: string, options: PrepareOptions): ClusterLayout {
  const layout = readLayout(layoutFile(stateDir));
  const pid = readPidFile(supervisorPidFile(layout));
  if (pid !== undefined && isOurProcess(pid, layout.stateDir)) {
    throw new Error(`cluster "${layout.cluster}" is already running from ${stateDir} (supervisor pid ${pid}); run polygres down --state-dir ${stateDir} first`);
  }
  if (layout.cluster !== options.spec.name) {
    throw new InvalidRequestError(`${stateDir} holds cluster "${layout.cluster}", not "${options.spec.name}": choose another --state-dir, or remove it with polygres down --purge --state-dir ${stateDir}`);
  }
  if (options.zoneNetworks && JSON.stringify(options.zoneNetworks) !== JSON.stringify(layout.zoneNetworks)) {
    throw new InvalidRequestError(`${stateDir} was created with other zone networks (${JSON.stringify(layout.zoneNetworks ?? 'none')}); start it without --zone-network, or remove it with polygres down --purge`);
  }
  if (options.basePort !== undefined && options.basePort !== layout.basePort) {
    throw new InvalidRequestError(`${stateDir} was created with --base-port ${layout.basePort}; start it with that port, or remove it with polygres down --purge`);
  }
  return layout;
}

/**
 * The files the services read, made if missing and given to the account they run as: the
 * secrets, the gateway's and etcd's TLS material (private keys 0600), etcd's data directory.
 */
async function prepareServiceFiles(layout: ClusterLayout, spec: ClusterSpec): Promise<void> {
  const user = layout.postgresUser;
  giveTo(user, layout.secretsFile);
  const tls = tlsFilesFor(spec, serviceDirOf(layout));
  if (tls && spec.gateway.tls.mode === 'generate') {
    await ensureGeneratedTls(tls);
    giveTo(user, tls.keyFile);
    // Clients verify the gateway with <state-dir>/tls/ca.pem, wherever the services' files are.
    const publicCa = join(layout.stateDir, 'tls', 'ca.pem');
    if (tls.caFile && tls.caFile !== publicCa) {
      mkdirSync(join(layout.stateDir, 'tls'), { recursive: true, mode: 0o755 });
      copyFileSync(tls.caFile, publicCa);
    }
  }
  // Members dial each other by address, and check the address against the certificate.
  const members = etcdMembers(layout);
  if (layout.etcd.tls) await ensureEtcdTls(layout.etcd.tls, ['localhost', ...new Set(members.map((member) => member.host)), '::1'], user);
  for (const member of members) {
    mkdirSync(member.dataDir, { recursive: true, mode: 0o700 });
    giveTo(user, member.dataDir);
  }
}

/**
 * Can `user` run Polygres from where it is installed (its launcher, its code, its
 * dependencies)? An installation under /root, say, cannot be read by anyone else: the services
 * then run as root, and `up` says so and how to change it.
 */
export function installationReadableBy(user: OsUser): boolean {
  return [POLYGRES_BIN, require.resolve('pino')].every((file) => userCanRead(user, file));
}

/**
 * pgBackRest runs as the Postgres account: a posix repository it cannot reach would only fail
 * at the first archived WAL or backup. Said now, with the fix.
 */
function checkRepositoriesReachable(layout: ClusterLayout, spec: ClusterSpec): void {
  const user = layout.postgresUser;
  const backup = resolvedBackup(layout, spec);
  if (!user || !backup) return;
  // Its configuration, spool and lock files too: pgBackRest reads them on every archived segment.
  const files = join(serviceDirOf(layout), 'backup');
  mkdirSync(files, { recursive: true, mode: 0o750 });
  giveTo(user, files);
  if (!userCanReach(user, files)) {
    throw new Error(`user ${user.name}, whom pgBackRest runs as, cannot reach ${files}, where its configuration lives: make its parent directories searchable (chmod o+x on each) or choose a --state-dir it can reach`);
  }
  for (const repository of backup.repositories) {
    if (repository.type !== 'posix') continue;
    mkdirSync(repository.path, { recursive: true, mode: 0o750 });
    giveTo(user, repository.path);
    if (!userCanReach(user, repository.path)) {
      throw new Error(`user ${user.name}, whom pgBackRest runs as, cannot reach the backup repository ${repository.path}: make its parent directories searchable (chmod o+x on each) or choose a repository path under one it can reach, e.g. /var/lib/polygres/backups`);
    }
  }
}

/** The data root must be reachable by the Postgres user all the way down. */
function prepareDataRoot(layout: ClusterLayout): void {
  const user = layout.postgresUser;
  if (!user) return;
  mkdirSync(layout.dataRoot, { recursive: true, mode: 0o755 });
  if (!userCanReach(user, layout.dataRoot)) {
    throw new Error(`user ${user.name} cannot reach ${layout.dataRoot}; make its parent directories searchable (chmod o+x) or choose another --state-dir`);
  }
  // The poolers, running as that user, make the instance directories in it.
  if (layout.serviceUser) giveTo(layout.serviceUser, layout.dataRoot);
}

function checkTools(): void {
  postgresBinDir();
  if (spawnSync('etcd', ['--version']).status !== 0) {
    throw new Error('etcd not found. Install it (Debian/Ubuntu: apt-get install -y etcd-server etcd-client; macOS: brew install etcd).');
  }
}

async function checkPortsFree(layout: ClusterLayout): Promise<void> {
  const busy: string[] = [];
  for (const { port, owner } of allPorts(layout)) {
    if (!(await canBind('127.0.0.1', port))) busy.push(`${port} (${owner})`);
  }
  if (busy.length > 0) {
    throw new Error(`ports already in use: ${busy.join(', ')}. Stop what uses them, or choose another --base-port (this cluster uses ${layout.portRange[0]}-${layout.portRange[1]}).`);
  }
}

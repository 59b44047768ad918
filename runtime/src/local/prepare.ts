/**
 * Everything `polygres up` decides before a process starts: the spec, the layout, the
 * directories, the secrets, and the checks that fail early with a clear message (ports taken,
 * binaries missing, a state directory that belongs to another cluster).
 */
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { postgresBinDir } from '../pooler/postgres-binaries';
import type { ClusterSpec } from '../spec/schema';
import { canBind } from '../util/net';
import { isOurProcess, readPidFile } from '../util/processes';
import { type ClusterLayout, DEFAULT_BASE_PORT, allPorts, layoutFile, planLayout, portsNeeded } from './layout';
import { readLayout, writeLayout } from './layout-file';
import { postgresOsUser, userCanReach } from './os-user';
import { ensureSecrets } from './secrets';
import { ensureGeneratedTls, tlsFilesFor } from './tls-material';
import { writeBackupConfig } from './backup-files';
import { supervisorPidFile } from './supervisor-files';

export interface PrepareOptions {
  readonly spec: ClusterSpec;
  readonly stateDir?: string;
  readonly basePort?: number;
}

export function defaultStateDir(cluster: string): string {
  return resolve('.polygres', cluster);
}

/** Creates or reuses the state directory and returns the layout every process will read. */
export async function prepareCluster(options: PrepareOptions): Promise<ClusterLayout> {
  const stateDir = resolve(options.stateDir ?? defaultStateDir(options.spec.name));
  checkTools();
  const layout = existsSync(layoutFile(stateDir)) ? reuseLayout(stateDir, options) : createLayout(stateDir, options);
  const tls = tlsFilesFor(options.spec, stateDir);
  if (tls && options.spec.gateway.tls.mode === 'generate') ensureGeneratedTls(tls);
  writeBackupConfig(layout, options.spec);
  await checkPortsFree(layout);
  return layout;
}

function createLayout(stateDir: string, options: PrepareOptions): ClusterLayout {
  const basePort = options.basePort ?? DEFAULT_BASE_PORT;
  const last = basePort + portsNeeded(options.spec) - 1;
  if (!Number.isInteger(basePort) || basePort < 1024 || last > 65535) {
    throw new Error(`--base-port must be an integer from 1024 to ${65535 - portsNeeded(options.spec) + 1} (this cluster uses ${portsNeeded(options.spec)} ports from it)`);
  }
  mkdirSync(stateDir, { recursive: true, mode: 0o755 });
  const postgresUser = postgresOsUser();
  let dataRoot = join(stateDir, 'data');
  if (postgresUser) {
    // Postgres runs as an unprivileged user who may not be able to reach a state directory
    // under /root; its data then lives under /var/lib/polygres instead.
    mkdirSync(dataRoot, { recursive: true, mode: 0o755 });
    if (!userCanReach(postgresUser, dataRoot)) {
      dataRoot = join('/var/lib/polygres', `${options.spec.name}-${createHash('sha256').update(stateDir).digest('hex').slice(0, 10)}`);
    }
  }
  const layout = planLayout({ spec: options.spec, stateDir, basePort, dataRoot, ...(postgresUser ? { postgresUser } : {}) });
  for (const dir of [layout.logDir, layout.runDir, layout.dataRoot]) mkdirSync(dir, { recursive: true, mode: 0o755 });
  if (postgresUser) prepareDataRoot(layout);
  writeFileSync(layout.specFile, `${JSON.stringify(options.spec, null, 2)}\n`);
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
    throw new Error(`${stateDir} holds cluster "${layout.cluster}", not "${options.spec.name}": choose another --state-dir, or remove it with polygres down --purge --state-dir ${stateDir}`);
  }
  if (options.basePort !== undefined && options.basePort !== layout.basePort) {
    throw new Error(`${stateDir} was created with --base-port ${layout.basePort}; start it with that port, or remove it with polygres down --purge`);
  }
  return layout;
}

/** The data root must be reachable by the Postgres user all the way down. */
function prepareDataRoot(layout: ClusterLayout): void {
  const user = layout.postgresUser;
  if (!user) return;
  mkdirSync(layout.dataRoot, { recursive: true, mode: 0o755 });
  if (!userCanReach(user, layout.dataRoot)) {
    throw new Error(`user ${user.name} cannot reach ${layout.dataRoot}; make its parent directories searchable (chmod o+x) or choose another --state-dir`);
  }
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

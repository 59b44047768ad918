/**
 * `polygres down`: stops every process of a local cluster by pid — the supervisor first,
 * then anything that outlived it (children, Postgres servers) — checks that no port of the
 * cluster is still listening, and with --purge deletes the data.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { postgresBinary } from '../postgres/postgres-binaries';
import { isListening, sleep } from '../util/net';
import { isOurProcess, readPidFile, removeFile, terminate } from '../util/processes';
import { type ClusterLayout, allPorts, layoutFile, pgDataDir, serviceDirOf } from '../deployment/layout';
import { readLayout } from '../deployment/layout-file';
import { asUser } from '../util/os-account';
import { stopGroups } from './children';
import { isClusterProcess, supervisorPidFile } from './supervisor-files';

export interface DownOptions {
  readonly stateDir: string;
  readonly purge: boolean;
  readonly out: (line: string) => void;
}

export async function stopCluster(options: DownOptions): Promise<void> {
  const { stateDir, out } = options;
  if (!existsSync(layoutFile(stateDir))) {
    // Nothing says this directory is ours: an empty one goes, anything else stays (a mistyped
    // --state-dir must never delete someone's files).
    if (options.purge && existsSync(stateDir) && readdirSync(stateDir).length === 0) rmSync(stateDir, { recursive: true, force: true });
    out(`No cluster in ${stateDir}.`);
    return;
  }
  const layout = readLayout(layoutFile(stateDir));
  await stopSupervisor(layout);
  await stopLeftovers(layout);
  await stopPostgresServers(layout);
  const busy = await portsStillBound(layout);
  if (busy.length > 0) throw new Error(`cluster "${layout.cluster}" stopped, but these ports are still in use: ${busy.join(', ')}`);
  out(`Cluster "${layout.cluster}" stopped.`);
  if (options.purge) {
    const elsewhere = [layout.dataRoot, serviceDirOf(layout)].filter((dir) => !dir.startsWith(stateDir));
    rmSync(layout.dataRoot, { recursive: true, force: true });
    for (const instance of layout.instances) if (instance.socketDir) rmSync(instance.socketDir, { recursive: true, force: true });
    rmSync(serviceDirOf(layout), { recursive: true, force: true });
    rmSync(stateDir, { recursive: true, force: true });
    out(`Removed ${[stateDir, ...new Set(elsewhere)].join(' and ')}.`);
  }
}

async function stopSupervisor(layout: ClusterLayout): Promise<void> {
  const file = supervisorPidFile(layout);
  const pid = readPidFile(file);
  // The supervisor stops its children in order; Postgres checkpoints can take a while.
  if (pid !== undefined && isOurProcess(pid, layout.stateDir)) await terminate(pid, 180_000);
  removeFile(file);
}

/**
 * Children whose supervisor was killed keep running: find them by their pid files, and stop
 * them group by group in the supervisor's order (anything unnamed first, with the gateways).
 */
async function stopLeftovers(layout: ClusterLayout): Promise<void> {
  if (!existsSync(layout.runDir)) return;
  const groups = stopGroups(layout);
  const leftovers = readdirSync(layout.runDir)
    .filter((name) => name.endsWith('.pid'))
    .map((name) => ({ file: join(layout.runDir, name), pid: readPidFile(join(layout.runDir, name)), group: groups.get(name.slice(0, -'.pid'.length)) ?? Infinity }));
  for (const group of [...new Set(leftovers.map((leftover) => leftover.group))].sort((a, b) => b - a)) {
    await Promise.all(
      leftovers
        .filter((leftover) => leftover.group === group)
        .map(async ({ file, pid }) => {
          if (pid !== undefined && isClusterProcess(pid, layout)) await terminate(pid, 90_000);
          removeFile(file);
        }),
    );
  }
}

/** Postgres runs detached from its pooler; a server whose pooler died is stopped here. */
async function stopPostgresServers(layout: ClusterLayout): Promise<void> {
  await Promise.all(
    layout.instances.map(async (instance) => {
      const dataDir = pgDataDir(instance);
      const pid = readPidFile(join(dataDir, 'postmaster.pid'));
      if (pid === undefined || !isOurProcess(pid, dataDir)) return;
      try {
        execFileSync(postgresBinary('pg_ctl'), ['stop', '-D', dataDir, '-m', 'fast', '-w', '-t', '60', '-s'], {
          ...asUser(layout.postgresUser),
          stdio: 'ignore',
        });
      } catch {
        await terminate(pid, 5_000);
      }
    }),
  );
}

/** Ports where something still accepts connections (a client socket on the port does not count). */
async function portsStillBound(layout: ClusterLayout): Promise<string[]> {
  for (let attempt = 0; ; attempt++) {
    const busy: string[] = [];
    for (const { port, owner } of allPorts(layout)) {
      if (await isListening('127.0.0.1', port, 300)) busy.push(`${port} (${owner})`);
    }
    if (busy.length === 0 || attempt >= 20) return busy;
    await sleep(250);
  }
}

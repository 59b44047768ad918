/**
 * One run of one container: its command as the container's user, in the pod's network
 * namespace, in a mount namespace of its own (the image's writable layer over /etc and
 * /var/lib, private /tmp, /run and /dev/shm, the pod's /etc/hosts, its volumes at their mount
 * paths), and in a PID namespace where it is PID 1 — or, when the pod shares its process
 * namespace, under the pod's pause process, which reaps what the container orphans. Every
 * process it starts is tracked in a pids cgroup, so stopping the container stops all of them,
 * as a container runtime does.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Where the sandbox's cgroups go: the v1 pids hierarchy where it is mounted, else the v2
 * hierarchy (mounted beside v1 as `unified`, or on its own at the top). Only membership and
 * cgroup.procs are used, which both versions have.
 */
export const CGROUP_ROOT = ['/sys/fs/cgroup/pids', '/sys/fs/cgroup/unified'].find((dir) => existsSync(join(dir, 'cgroup.procs'))) ?? '/sys/fs/cgroup';
/** The image's users (Dockerfile: postgres is 999:999). */
const PASSWD = 'root:x:0:0:root:/root:/bin/bash\npostgres:x:999:999:PostgreSQL administrator:/var/lib/postgresql:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n';
const GROUP = 'root:x:0:\npostgres:x:999:\nnogroup:x:65534:\n';
/** Reaps every child it is given, as the pause container does for a shared process namespace. */
const PAUSE = '$SIG{TERM}=$SIG{INT}=sub{exit 0}; $SIG{CHLD}=sub{1 while waitpid(-1, 1) > 0}; sleep while 1;';

export interface Mount {
  readonly source: string;
  readonly target: string;
  readonly readOnly: boolean;
}

export interface ContainerSpec {
  readonly netns: string;
  readonly hostname: string;
  readonly hostsFile: string;
  readonly resolvConf: string;
  /** The image's CA bundle, when the sandbox adds authorities to it. */
  readonly caBundle: string | undefined;
  readonly mounts: readonly Mount[];
  readonly user: number;
  readonly group: number;
  readonly groups: readonly number[];
  readonly env: Readonly<Record<string, string>>;
  readonly command: readonly string[];
  readonly workingDir: string;
  readonly readOnlyRoot: boolean;
  /**
   * Host directories that stand for the image's own files (this repository's built
   * runtime): visible read-only at their own paths, even where the container's private
   * /tmp would hide them (a clone under /tmp).
   */
  readonly imagePaths: readonly string[];
}

export class ContainerProcess {
  /** Resolves with the exit code (or null when killed by a signal) once every process is gone. */
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;
  private mainPid: number | undefined;

  constructor(
    scratch: string,
    private readonly cgroup: string,
    spec: ContainerSpec,
    logFile: string,
    sharedPidOf?: number,
  ) {
    prepareScratch(scratch, spec);
    mkdirSync(cgroup, { recursive: true });
    const enter = sharedPidOf === undefined
      ? `unshare --mount --uts --propagation private --pid --fork --mount-proc --kill-child -- sh ${scratch}/start.sh`
      : `nsenter --target ${sharedPidOf} --pid -- unshare --mount --uts --propagation private -- sh ${scratch}/start.sh shared`;
    const log = openSync(logFile, 'a');
    this.child = spawn('sh', ['-c', `echo $$ > ${cgroup}/cgroup.procs && exec ip netns exec ${spec.netns} ${enter}`], { stdio: ['ignore', log, log], detached: true });
    closeSync(log);
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code) => {
        // The runtime stops whatever the main process left behind in the container.
        void this.killAll().then(() => resolve(code));
      });
    });
  }

  /** The container's main process as the node sees it (PID 1, or the child of pause). */
  async pid(): Promise<number | undefined> {
    this.mainPid ??= await firstChildOf(this.child, 200);
    return this.mainPid;
  }

  async signal(signal: NodeJS.Signals): Promise<void> {
    const pid = await this.pid();
    if (pid !== undefined) signalAll([pid], signal);
  }

  /** SIGTERM, then after the grace period SIGKILL to every process the container started. */
  async stop(graceSeconds: number): Promise<void> {
    await this.signal('SIGTERM');
    const timer = sleep(graceSeconds * 1000).then(() => 'timeout' as const);
    if ((await Promise.race([this.exited, timer])) === 'timeout') await this.killAll();
    await this.exited;
  }

  /** The container's processes (its cgroup's), with their parents and command lines. */
  processes(): { pid: number; ppid: number; command: string }[] {
    return cgroupPids(this.cgroup).flatMap((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        return [{ pid, ppid, command: readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim() }];
      } catch {
        return [];
      }
    });
  }

  async killAll(): Promise<void> {
    await killCgroup(this.cgroup);
  }
}

/** The pod's pause process: PID 1 of the namespace its containers share. */
export class PauseProcess {
  private readonly child: ChildProcess;

  constructor(netns: string, private readonly cgroup: string) {
    mkdirSync(cgroup, { recursive: true });
    this.child = spawn('sh', ['-c', `echo $$ > ${cgroup}/cgroup.procs && exec ip netns exec ${netns} unshare --pid --fork --mount-proc --kill-child -- perl -e '${PAUSE}'`], { stdio: 'ignore', detached: true });
  }

  async pid(): Promise<number> {
    const pid = await firstChildOf(this.child, 500);
    if (pid === undefined) throw new Error('sandbox: the pause process did not start');
    return pid;
  }

  async kill(): Promise<void> {
    await killCgroup(this.cgroup);
  }
}

export function sandboxCgroup(sandboxId: string, name: string): string {
  return join(CGROUP_ROOT, `pgsbx-${sandboxId}`, name);
}

/** Kills whatever is left in the sandbox's cgroups and removes them (retrying while processes exit). */
export async function removeSandboxCgroups(sandboxId: string): Promise<void> {
  const root = join(CGROUP_ROOT, `pgsbx-${sandboxId}`);
  for (let round = 0; round < 100 && existsSync(root); round++) {
    signalAll(cgroupPidsDeep(root), 'SIGKILL');
    removeTree(root);
    if (existsSync(root)) await sleep(50);
  }
}

/** SIGKILLs every process in the cgroup until none is left, then removes it. */
async function killCgroup(cgroup: string): Promise<void> {
  for (let round = 0; round < 100 && cgroupPids(cgroup).length > 0; round++) {
    signalAll(cgroupPids(cgroup), 'SIGKILL');
    await sleep(20);
  }
  try {
    rmdirSync(cgroup);
  } catch {
    // a process is still exiting; the sandbox's teardown removes the parent
  }
}

function signalAll(pids: readonly number[], signal: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

function prepareScratch(scratch: string, spec: ContainerSpec): void {
  for (const dir of ['etc-upper', 'etc-work', 'lib-upper', 'lib-work', 'lib-upper/postgresql', 'lib-upper/polygres', 'lib-upper/etcd']) mkdirSync(join(scratch, dir), { recursive: true });
  writeFileSync(join(scratch, 'etc-upper', 'passwd'), PASSWD);
  writeFileSync(join(scratch, 'etc-upper', 'group'), GROUP);
  writeFileSync(join(scratch, 'etc-upper', 'hostname'), `${spec.hostname}\n`);
  writeFileSync(join(scratch, 'start.sh'), startScript(scratch, spec));
}

/** Runs as root inside the new namespaces, then becomes the container's user and command. */
function startScript(scratch: string, spec: ContainerSpec): string {
  // The sandbox's files live outside /tmp, which the container gets a private one of.
  const lines = [
    'set -e',
    'if [ "$1" = shared ]; then mount -t proc proc /proc; fi',
    `hostname ${quote(spec.hostname)}`,
    `mount -t overlay overlay -o lowerdir=/etc,upperdir=${scratch}/etc-upper,workdir=${scratch}/etc-work /etc`,
    `mount -t overlay overlay -o lowerdir=/var/lib,upperdir=${scratch}/lib-upper,workdir=${scratch}/lib-work /var/lib`,
    'chown 999:999 /var/lib/postgresql /var/lib/polygres /var/lib/etcd',
    `mount --bind ${quote(spec.hostsFile)} /etc/hosts`,
    `mount --bind ${quote(spec.resolvConf)} /etc/resolv.conf`,
    ...(spec.caBundle ? [`mount --bind ${quote(spec.caBundle)} /etc/ssl/certs/ca-certificates.crt`] : []),
    'mount -t tmpfs -o mode=1777 tmpfs /dev/shm',
    ...spec.imagePaths.flatMap((path, index) => [`mkdir -p ${scratch}/image-${index}`, `mount --bind ${quote(path)} ${scratch}/image-${index}`]),
  ];
  // The image's own /tmp and /run (empty; /run/postgresql as Debian's package makes it):
  // writable, or read-only with the rest of the image under readOnlyRootFilesystem once the
  // mount points in them are made — never the node's.
  lines.push('mount -t tmpfs -o mode=1777 tmpfs /tmp', 'mount -t tmpfs -o mode=755 tmpfs /run', 'mkdir -p /run/postgresql && chown 999:999 /run/postgresql && chmod 2775 /run/postgresql');
  // Outer volumes first, so a mount path inside another volume gets its directory made
  // there (as the container runtime does); read-only only once every mount is in place.
  const mounts = [...spec.mounts].sort((a, b) => a.target.split('/').length - b.target.split('/').length);
  for (const mount of mounts) lines.push(`mkdir -p ${quote(mount.target)}`, `mount --bind ${quote(mount.source)} ${quote(mount.target)}`);
  for (const mount of mounts) if (mount.readOnly) lines.push(`mount -o remount,bind,ro ${quote(mount.target)}`);
  // The image's files last, over the volumes: a real image keeps them in its own directories,
  // but this repository may sit under /tmp (CI clones it there), where a /tmp volume would hide it.
  spec.imagePaths.forEach((path, index) => lines.push(`mkdir -p ${quote(path)}`, `mount --bind ${scratch}/image-${index} ${quote(path)}`, `mount -o remount,bind,ro ${quote(path)}`));
  if (spec.readOnlyRoot) {
    lines.push('mount -o remount,bind,ro /', 'mount -o remount,ro /etc', 'mount -o remount,ro /var/lib');
    // A volume mounted at /tmp or /run stays as it is; the image's own is read-only.
    for (const dir of ['/tmp', '/run']) if (!mounts.some((mount) => mount.target === dir)) lines.push(`mount -o remount,ro ${dir}`);
  }
  lines.push(`cd ${quote(spec.workingDir)}`);
  const env = Object.entries(spec.env).map(([key, value]) => quote(`${key}=${value}`));
  const groups = [spec.group, ...spec.groups].join(',');
  lines.push(`exec setpriv --reuid=${spec.user} --regid=${spec.group} --groups=${groups} --inh-caps=-all --bounding-set=-all --no-new-privs -- env -i ${env.join(' ')} ${spec.command.map(quote).join(' ')}`);
  return lines.join('\n') + '\n';
}

export function quote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/**
 * The process `child` forked (unshare's or nsenter's child: the namespace's first process),
 * polled every 10 ms for `tries` times; undefined once `child` has exited without one.
 */
async function firstChildOf(child: ChildProcess, tries: number): Promise<number | undefined> {
  for (let i = 0; i < tries; i++) {
    if (child.pid === undefined || child.exitCode !== null) return undefined;
    const [first] = readChildren(child.pid);
    if (first !== undefined) return first;
    await sleep(10);
  }
  return undefined;
}

function readChildren(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function cgroupPids(cgroup: string): number[] {
  try {
    return readFileSync(join(cgroup, 'cgroup.procs'), 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function cgroupPidsDeep(dir: string): number[] {
  const pids = cgroupPids(dir);
  for (const entry of safeReaddir(dir)) pids.push(...cgroupPidsDeep(join(dir, entry)));
  return pids;
}

function removeTree(dir: string): void {
  for (const entry of safeReaddir(dir)) removeTree(join(dir, entry));
  try {
    rmdirSync(dir);
  } catch {
    // a process still exiting; nothing more to do
  }
}

/** A cgroup's child groups (its other entries are the kernel's files). */
function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name);
  } catch {
    return [];
  }
}

/**
 * The kubelet's part for one pod: its network namespace and address, its volumes (fsGroup
 * applied), the pause process when it shares its process namespace, init containers one after
 * another, then its containers, restarted by the pod's restart policy with the kubelet's
 * back-off (immediately, then 10 s doubling to 5 min), startup, liveness and readiness probes,
 * and deletion with SIGTERM, the grace period, then SIGKILL.
 */
import { appendFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ContainerProcess, PauseProcess, sandboxCgroup, type Mount } from './container-process';
import { ContainerConfigError, containerEnv, expand } from './container-env';
import type { PodAddress, PodNetwork } from './pod-network';
import { applyFsGroup, makeEmptyDir, octal, projectedData, PROJECTED_DEFAULT_MODE, writeProjectedVolume } from './pod-volumes';
import { probeOnce, probeTiming } from './probes';
import type { Json } from './terraform-values';

/** What a pod needs from the rest of the sandbox. */
export interface PodHost {
  readonly sandboxId: string;
  readonly network: PodNetwork;
  secret(name: string): Record<string, string> | undefined;
  configMap(name: string): Record<string, string> | undefined;
  /** The claim's directory, and whether this mount must apply fsGroup whatever the policy. */
  persistentVolume(claim: string): { dir: string; alwaysApplyFsGroup: boolean };
  /** The image's filesystem facts: its PATH, environment and working directory. */
  image(reference: string): { env: Record<string, string>; workingDir: string; user: number; caBundle: string | undefined; paths: readonly string[] };
  hostsFile(pod: Pod): string;
  changed(): void;
}

interface ContainerState {
  process?: ContainerProcess;
  restarts: number;
  ready: boolean;
  lastExit?: number | null;
  waiting?: string;
}

export class Pod {
  address: PodAddress | undefined;
  phase: 'Pending' | 'Running' | 'Succeeded' | 'Failed' = 'Pending';
  deleting = false;
  readonly containers = new Map<string, ContainerState>();
  readonly dir: string;
  private pause: PauseProcess | undefined;
  private pausePid: number | undefined;
  private runs = 0;
  /** Each volume's directory; persistent ones outlive the pod. */
  private readonly volumeDirs = new Map<string, { dir: string; persistent: boolean }>();
  private readonly projected = new Map<string, string>();
  private deletion: Promise<void> | undefined;

  constructor(
    private readonly host: PodHost,
    readonly name: string,
    readonly namespace: string,
    readonly labels: Record<string, string>,
    readonly spec: Json,
    readonly hostname: string,
    readonly subdomain: string | undefined,
    private readonly root: string,
  ) {
    this.dir = join(root, 'pods', name);
    mkdirSync(join(this.dir, 'logs'), { recursive: true });
  }

  get ready(): boolean {
    return this.phase === 'Running' && !this.deleting && (this.spec.container ?? []).every((container: Json) => this.containers.get(container.name)?.ready === true);
  }

  get hostsPath(): string {
    return join(this.dir, 'hosts');
  }

  log(container: string): string {
    return containerLog(this.root, this.name, container);
  }

  writeHosts(): void {
    if (this.address) writeFileSync(this.hostsPath, this.host.hostsFile(this));
  }

  /** Runs the pod to its end: until its containers are done (a Job's) or it is deleted. */
  async run(): Promise<void> {
    this.address = await this.host.network.addPod(this.name);
    this.writeHosts();
    this.host.changed();
    await this.mountVolumes();
    if (this.spec.share_process_namespace) {
      this.pause = new PauseProcess(this.address.netns, sandboxCgroup(this.host.sandboxId, `${this.name}-pause`));
      this.pausePid = await this.pause.pid();
    }
    for (const container of this.spec.init_container ?? []) {
      if (!(await this.runInit(container))) return;
    }
    if (this.deleting) return;
    this.phase = 'Running';
    const results = await Promise.all((this.spec.container ?? []).map((container: Json) => this.supervise(container)));
    if (!this.deleting) this.phase = results.every((code) => code === 0) ? 'Succeeded' : 'Failed';
    this.host.changed();
  }

  /** Deletion: every container gets SIGTERM and the grace period, then the pod's net is gone. */
  delete(graceSeconds = Number(this.spec.termination_grace_period_seconds ?? 30)): Promise<void> {
    this.deletion ??= this.terminate(graceSeconds);
    return this.deletion;
  }

  private async terminate(graceSeconds: number): Promise<void> {
    this.deleting = true;
    this.host.changed();
    await Promise.all([...this.containers.values()].map((state) => state.process?.stop(graceSeconds)));
    await this.pause?.kill();
    if (this.address) await this.host.network.removePod(this.address);
    for (const { dir, persistent } of this.volumeDirs.values()) if (!persistent) rmSync(dir, { recursive: true, force: true });
    this.host.changed();
  }

  /** Every process of every container killed at once (a crash); the kubelet restarts them. */
  async crash(): Promise<void> {
    await Promise.all([...this.containers.values()].map((state) => state.process?.killAll()));
  }

  processes(): { pid: number; ppid: number; command: string }[] {
    return [...this.containers.values()].flatMap((state) => state.process?.processes() ?? []);
  }

  /** Secrets and ConfigMaps changed since they were mounted reach the pod (the kubelet's sync). */
  refreshProjectedVolumes(): void {
    for (const volume of this.spec.volume ?? []) {
      if (volume.secret || volume.config_map) this.writeProjected(volume);
    }
  }

  private async mountVolumes(): Promise<void> {
    const security = this.spec.security_context ?? {};
    const fsGroup = security.fs_group === undefined ? undefined : Number(security.fs_group);
    for (const volume of this.spec.volume ?? []) {
      if (volume.secret || volume.config_map) {
        // A missing Secret keeps the pod in ContainerCreating until it exists.
        while (!this.writeProjected(volume)) {
          if (this.deleting) return;
          await sleep(1000);
        }
      } else if (volume.persistent_volume_claim) {
        const { dir, alwaysApplyFsGroup } = this.host.persistentVolume(volume.persistent_volume_claim.claim_name);
        applyFsGroup(dir, fsGroup, alwaysApplyFsGroup ? 'Always' : security.fs_group_change_policy);
        this.volumeDirs.set(volume.name, { dir, persistent: true });
      } else if (volume.empty_dir) {
        const dir = join(this.dir, 'volumes', volume.name);
        makeEmptyDir(dir);
        applyFsGroup(dir, fsGroup, security.fs_group_change_policy);
        this.volumeDirs.set(volume.name, { dir, persistent: false });
      } else {
        throw new Error(`sandbox: unsupported volume ${JSON.stringify(volume)}`);
      }
    }
  }

  private writeProjected(volume: Json): boolean {
    const source = volume.secret ?? volume.config_map;
    const data = volume.secret ? this.host.secret(source.secret_name) : this.host.configMap(source.name);
    if (!data) return source.optional === true;
    const dir = join(this.dir, 'volumes', volume.name);
    const content = JSON.stringify(projectedData(source, data));
    if (this.projected.get(volume.name) === content) return true;
    this.projected.set(volume.name, content);
    const fsGroup = this.spec.security_context?.fs_group;
    writeProjectedVolume(dir, projectedData(source, data), octal(source.default_mode, PROJECTED_DEFAULT_MODE), fsGroup === undefined ? undefined : Number(fsGroup));
    this.volumeDirs.set(volume.name, { dir, persistent: false });
    return true;
  }

  private mountsOf(container: Json): Mount[] {
    return (container.volume_mount ?? []).map((mount: Json) => {
      const dir = this.volumeDirs.get(mount.name)?.dir;
      if (!dir) throw new Error(`sandbox: ${this.name}/${container.name} mounts unknown volume ${mount.name}`);
      return { source: mount.sub_path ? join(dir, mount.sub_path) : dir, target: mount.mount_path, readOnly: mount.read_only === true };
    });
  }

  private async runInit(container: Json): Promise<boolean> {
    for (;;) {
      const code = await this.runContainer(container, false);
      if (code === 0) return true;
      if (this.deleting || this.spec.restart_policy === 'Never') return false;
      await sleep(1000);
    }
  }

  /** One container's life under the restart policy; resolves with its last exit code. */
  private async supervise(container: Json): Promise<number | null> {
    const policy = this.spec.restart_policy ?? 'Always';
    let backoffMs = 0;
    for (;;) {
      const started = Date.now();
      const code = await this.runContainer(container, true);
      if (this.deleting) return code;
      if (policy === 'Never' || (policy === 'OnFailure' && code === 0)) return code;
      if (Date.now() - started > 600_000) backoffMs = 0;
      await sleep(backoffMs);
      backoffMs = Math.min(300_000, Math.max(10_000, backoffMs * 2));
    }
  }

  private async runContainer(container: Json, probed: boolean): Promise<number | null> {
    const state = this.containers.get(container.name) ?? { restarts: -1, ready: false };
    this.containers.set(container.name, state);
    state.restarts += 1;
    const address = this.address!;
    let process: ContainerProcess;
    try {
      const image = this.host.image(container.image);
      const env = containerEnv(container, { secret: (name) => this.host.secret(name), configMap: (name) => this.host.configMap(name), field: (path) => this.field(path) }, { ...image.env, HOSTNAME: this.hostname });
      const security = { ...(this.spec.security_context ?? {}), ...(container.security_context ?? {}) };
      const groups = [security.fs_group, ...(security.supplemental_groups ?? [])].filter((group) => group !== undefined).map(Number);
      this.runs += 1;
      process = new ContainerProcess(join(this.dir, 'runs', `${container.name}-${this.runs}`), sandboxCgroup(this.host.sandboxId, `${this.name}-${container.name}-${this.runs}`), {
        netns: address.netns,
        hostname: this.hostname,
        hostsFile: this.hostsPath,
        resolvConf: this.resolvConf(),
        caBundle: image.caBundle,
        imagePaths: image.paths,
        mounts: this.mountsOf(container),
        user: Number(security.run_as_user ?? image.user),
        group: Number(security.run_as_group ?? security.run_as_user ?? image.user),
        groups,
        env,
        command: [...(container.command ?? []), ...(container.args ?? [])].map((part: string) => expand(part, env)),
        workingDir: container.working_dir ?? image.workingDir,
        readOnlyRoot: security.read_only_root_filesystem === true,
      }, this.log(container.name), this.pausePid);
    } catch (error) {
      if (!(error instanceof ContainerConfigError)) throw error;
      state.waiting = `CreateContainerConfigError: ${error.message}`;
      appendFileSync(this.log(container.name), `sandbox: ${state.waiting}\n`);
      await sleep(2000);
      return null;
    }
    state.waiting = undefined;
    state.process = process;
    const probing = probed ? this.probe(container, state, process) : Promise.resolve();
    const code = await process.exited;
    state.lastExit = code;
    state.ready = false;
    this.host.changed();
    await probing;
    return code;
  }

  /** Startup probe first; then liveness (kills the container) and readiness (Service endpoints). */
  private async probe(container: Json, state: ContainerState, process: ContainerProcess): Promise<void> {
    let alive = true;
    void process.exited.then(() => (alive = false));
    const ip = this.address!.ip;
    if (container.startup_probe) {
      const ok = await this.probeLoop(container.startup_probe, container, ip, () => alive, 'until-success');
      if (!ok) {
        if (alive) await process.stop(Number(this.spec.termination_grace_period_seconds ?? 30));
        return;
      }
    }
    const readiness = container.readiness_probe
      ? this.probeLoop(container.readiness_probe, container, ip, () => alive, 'forever', (ready) => {
        if (state.ready !== ready) {
          state.ready = ready;
          this.host.changed();
        }
      })
      : Promise.resolve(true).then(() => {
        state.ready = true;
        this.host.changed();
      });
    const liveness = container.liveness_probe
      ? this.probeLoop(container.liveness_probe, container, ip, () => alive, 'until-failure').then(async (failed) => {
        if (failed === false && alive) {
          appendFileSync(this.log(container.name), 'sandbox: liveness probe failed, restarting the container\n');
          await process.stop(Number(this.spec.termination_grace_period_seconds ?? 30));
        }
      })
      : Promise.resolve();
    await Promise.all([readiness, liveness]);
  }

  /**
   * Runs a probe every period while the container lives. 'until-success' resolves true at the
   * first success (false after failureThreshold failures); 'until-failure' resolves false after
   * failureThreshold consecutive failures; 'forever' reports each state change.
   */
  private async probeLoop(probe: Json, container: Json, ip: string, alive: () => boolean, mode: 'until-success' | 'until-failure' | 'forever', report?: (ok: boolean) => void): Promise<boolean> {
    const timing = probeTiming(probe);
    await sleep(timing.initialDelayMs);
    let failures = 0;
    let successes = 0;
    let state = false;
    while (alive() && !this.deleting) {
      const ok = await probeOnce(probe, container, ip);
      failures = ok ? 0 : failures + 1;
      successes = ok ? successes + 1 : 0;
      if (mode === 'until-success') {
        if (ok) return true;
        if (failures >= timing.failureThreshold) return false;
      } else if (mode === 'until-failure') {
        if (failures >= timing.failureThreshold) return false;
      } else {
        if (!state && successes >= timing.successThreshold) state = true;
        if (state && failures >= timing.failureThreshold) state = false;
        report?.(state);
      }
      await sleep(timing.periodMs);
    }
    report?.(false);
    return true;
  }

  /**
   * Cluster DNS's search path, and a nameserver on the node that answers nothing: names
   * outside the cluster fail at once, as they do on a cluster without egress.
   */
  private resolvConf(): string {
    const path = join(this.dir, 'resolv.conf');
    const search = [`${this.namespace}.svc.cluster.local`, 'svc.cluster.local', 'cluster.local'];
    writeFileSync(path, `nameserver ${this.host.network.nodeIp}\nsearch ${search.join(' ')}\noptions ndots:5 attempts:1 timeout:1\n`);
    return path;
  }

  private field(path: string): string | undefined {
    switch (path) {
      case 'metadata.name':
        return this.name;
      case 'metadata.namespace':
        return this.namespace;
      case 'status.podIP':
        return this.address?.ip;
      case 'spec.nodeName':
        return 'sandbox-node';
      default:
        return path.startsWith('metadata.labels[') ? this.labels[path.slice(17, -2)] : undefined;
    }
  }
}

/** Where a container's output goes (what `kubectl logs` shows), kept after the pod is gone. */
export function containerLog(root: string, pod: string, container: string): string {
  return join(root, 'pods', pod, 'logs', `${container}.log`);
}

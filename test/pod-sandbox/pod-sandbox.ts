/**
 * A synthesized Kubernetes stack running on this machine: every pod in its own network, mount
 * and PID namespaces on one bridge, its objects applied as Terraform and the Kubernetes
 * provider would, its workloads driven by the controllers, its pods by the kubelet, its
 * Services by kube-proxy's rules and cluster DNS (see README.md for what is not emulated).
 * The test process stands on the node: it reaches pod addresses and ClusterIPs directly.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { clusterObjects, matches, type ClusterObjects, type Workload } from './cluster-objects';
import { clusterNames, hostsFile, serviceRoutes, type ServiceState } from './cluster-dns';
import { removeSandboxCgroups } from './container-process';
import { PodNetwork } from './pod-network';
import { partitionFilters, type ZoneCut } from './partition';
import { containerLog, Pod, type PodHost } from './pod-runner';
import { makePersistentVolume } from './pod-volumes';
import { TerraformValues, type Json, type TerraformConfig } from './terraform-values';
import { reconcile, revisionName, templateHash, type OwnedPod, type PodStore } from './workload-controllers';
import { API_SERVER_PORT, SandboxApiServer, type ApiBackend } from './api-server';
import { SERVICE_ACCOUNT_DIR } from '../../runtime/src/kubernetes/api-client';
import { podZone, requiredZone } from './zones';

export interface SandboxOptions {
  /** The repository whose built runtime is the image's `polygres`. */
  readonly repoRoot: string;
  /** Names outside the cluster that resolve to the node, where the test runs stand-ins (S3). */
  readonly namesOnTheNode?: readonly string[];
}

/** The runtime image (Dockerfile): its PATH, environment, working directory and user. */
const IMAGE_ENV = { TZ: 'UTC', LANG: 'C.UTF-8', POLYGRES_PG_BINDIR: '/usr/lib/postgresql/15/bin', HOME: '/var/lib/postgresql' };
const SYSTEM_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const RECONCILE_MS = 300;
const VOLUME_SYNC_MS = 5_000;

interface PodRecord extends OwnedPod {
  readonly owner: string;
  done: boolean;
}

export class PodSandbox implements PodHost, PodStore {
  readonly network = new PodNetwork();
  readonly root: string;
  private objects: ClusterObjects = { namespace: 'default', configMaps: new Map(), secrets: new Map(), services: new Map(), workloads: [], serviceAccounts: new Map(), roles: new Map(), roleBindings: [] };
  /** The API server the pods with a service account token call (the orchestrators). */
  api: SandboxApiServer | undefined;
  private values: TerraformValues | undefined;
  private readonly records = new Map<string, PodRecord>();
  private readonly serviceIps = new Map<string, string>();
  private loop: NodeJS.Timeout | undefined;
  private volumeSync: NodeJS.Timeout | undefined;
  private dirty = false;
  private lastRules = '';
  private rules: Promise<void> = Promise.resolve();
  /** The zones cut off from the others, while a partition lasts. */
  private cut: ZoneCut | undefined;
  /** Cluster DNS as of the last publish: every pod's /etc/hosts is written from it. */
  private names = new Map<string, string[]>();
  private stopped = false;
  private readonly existingSecrets: Record<string, Record<string, string>> = {};
  private readonly authorities: string[] = [];
  private readonly downZones = new Set<string>();
  private readonly fsGroupAlwaysOnce = new Set<string>();

  private constructor(private readonly options: SandboxOptions) {
    // Not under /tmp: every container gets a private /tmp, which would hide the volumes.
    this.root = mkdtempSync('/var/tmp/polygres-sandbox-');
    chmodSync(this.root, 0o755);
  }

  get sandboxId(): string {
    return this.network.id;
  }

  /** The node and its network, with nothing applied yet: stand-ins can bind `nodeIp` now. */
  static async create(options: SandboxOptions): Promise<PodSandbox> {
    const sandbox = new PodSandbox(options);
    try {
      await sandbox.network.create();
      sandbox.writeImage();
      sandbox.api = await SandboxApiServer.start(sandbox.nodeIp, sandbox.apiBackend());
    } catch (error) {
      await sandbox.stop();
      throw error;
    }
    sandbox.loop = setInterval(() => sandbox.tick(), RECONCILE_MS);
    sandbox.volumeSync = setInterval(() => sandbox.syncVolumes(), VOLUME_SYNC_MS);
    return sandbox;
  }

  get nodeIp(): string {
    return this.network.nodeIp;
  }

  /** A Secret the user made before applying the stack (such as S3 credentials). */
  addExistingSecret(name: string, data: Record<string, string>): void {
    this.existingSecrets[name] = data;
  }

  /** An authority the image trusts besides the system's (a stand-in's issuer). */
  trustAuthority(pem: string): void {
    this.authorities.push(pem);
    const system = readFileSync('/etc/ssl/certs/ca-certificates.crt', 'utf8');
    writeFileSync(join(this.root, 'image', 'ca-certificates.crt'), [system, ...this.authorities].join('\n'), { mode: 0o644 });
  }

  /**
   * `terraform apply` of a synth: the first makes the generated values, later ones keep them
   * (as Terraform's state does) and replace the objects; the controllers do the rest. `replace`
   * names resources made anew, as `terraform apply -replace=<address>` (a rotated password).
   */
  apply(config: TerraformConfig, options: { replace?: readonly string[] } = {}): void {
    if (this.values) this.values.update(config);
    else this.values = new TerraformValues(config);
    for (const address of options.replace ?? []) this.values.replace(address);
    const jobsBefore = new Map(this.objects.workloads.filter((workload) => workload.kind === 'Job').map((job) => [job.name, templateHash(job.body.spec.template)]));
    this.load();
    // A Job's template cannot change: the provider replaces the Job, which runs again.
    for (const job of this.objects.workloads.filter((workload) => workload.kind === 'Job')) {
      const before = jobsBefore.get(job.name);
      if (before !== undefined && before !== templateHash(job.body.spec.template)) this.forgetPods(job);
    }
    this.syncVolumes();
    this.tick();
  }

  pods(selector: Record<string, string> = {}): Pod[] {
    return [...this.records.values()].filter((record) => !record.done && matches(selector, record.pod.labels)).map((record) => record.pod);
  }

  pod(name: string): Pod {
    const record = this.records.get(name);
    if (!record || record.done) throw new Error(`sandbox: no pod ${name}`);
    return record.pod;
  }

  serviceIp(name: string): string {
    const ip = this.serviceIps.get(name);
    if (!ip) throw new Error(`sandbox: no ClusterIP Service ${name}`);
    return ip;
  }

  secretData(name: string): Record<string, string> {
    const data = this.objects.secrets.get(name);
    if (!data) throw new Error(`sandbox: no Secret ${name}`);
    return data;
  }

  /** `kubectl delete pod`: SIGTERM, the grace period, SIGKILL; its controller makes a new one. */
  async deletePod(name: string, graceSeconds?: number): Promise<void> {
    await this.pod(name).delete(graceSeconds);
  }

  /** Every process of the pod killed at once (kill -9, OOM); the kubelet restarts its containers. */
  async crashPod(name: string): Promise<void> {
    await this.pod(name).crash();
  }

  /** Every process of the pod's containers, as the node sees them. */
  processes(name: string): { pid: number; ppid: number; command: string }[] {
    return this.pod(name).processes();
  }

  /** The zone every pod runs in (see zones.ts), for the pods that have one. */
  zoneOf(pod: Pod): string | undefined {
    return podZone(pod.spec, pod.name, this.zones());
  }

  /**
   * A zone lost: its pods are gone at once (no grace: the nodes are unreachable) and nothing
   * is scheduled there until `restoreZone`; their volumes, zonal, wait for the zone.
   */
  async failZone(zone: string): Promise<void> {
    this.downZones.add(zone);
    await Promise.all(this.pods().filter((pod) => this.zoneOf(pod) === zone).map((pod) => pod.delete(0)));
  }

  /**
   * A network partition: `zones` and every other zone stop hearing each other ('both'), or
   * only what `zones` send ('out') or receive ('in') is lost — all of it, or `lossPercent` of
   * the packets (a lossy link). Pods keep running, the node still
   * reaches them all; pods re-created meanwhile are cut too. Resolves once the rules are in place.
   */
  async partition(zones: readonly string[], direction: ZoneCut['direction'] = 'both', lossPercent?: number): Promise<void> {
    this.cut = { zones: new Set(zones), direction, ...(lossPercent !== undefined ? { lossPercent } : {}) };
    await this.applyRules();
  }

  /** The partition healed: every pod hears every other again. */
  async heal(): Promise<void> {
    this.cut = undefined;
    await this.applyRules();
  }

  restoreZone(zone: string): void {
    this.downZones.delete(zone);
    this.tick();
  }

  /**
   * The next mount of `claim` changes group permissions everywhere in it, as a kubelet (or CSI
   * driver) that ignores fsGroupChangePolicy: OnRootMismatch does on every mount.
   */
  applyFsGroupOnNextMount(claim: string): void {
    this.fsGroupAlwaysOnce.add(claim);
  }

  async waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        if (await check()) return;
      } catch {
        // not yet
      }
      if (Date.now() > deadline) throw new Error(`sandbox: timed out waiting for ${what}\n${this.describe()}`);
      await sleep(500);
    }
  }

  /** One line per pod: phase, readiness, restarts, address. */
  describe(): string {
    return this.pods().map((pod) => {
      const containers = [...pod.containers].map(([name, state]) => `${name}${state.ready ? '' : '(not ready)'} restarts=${state.restarts}${state.waiting ? ` ${state.waiting}` : ''}`);
      return `${pod.name} ${pod.phase}${pod.deleting ? ' terminating' : ''} ${pod.address?.ip ?? '-'} ${containers.join(', ')}`;
    }).join('\n');
  }

  /** The last lines of a container's log (kubectl logs). */
  logs(podName: string, container: string, lines = 40): string {
    const file = containerLog(this.root, podName, container);
    return existsSync(file) ? readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n') : '';
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.loop);
    clearInterval(this.volumeSync);
    await Promise.all([...this.records.values()].map((record) => record.pod.delete(0).catch(() => undefined)));
    await this.api?.stop();
    await removeSandboxCgroups(this.network.id);
    await this.network.destroy();
    this.values?.dispose();
    if (!process.env.POLYGRES_SANDBOX_KEEP) rmSync(this.root, { recursive: true, force: true });
  }

  // PodHost ---------------------------------------------------------------------------------

  secret(name: string): Record<string, string> | undefined {
    return this.objects.secrets.get(name);
  }

  configMap(name: string): Record<string, string> | undefined {
    return this.objects.configMaps.get(name);
  }

  persistentVolume(claim: string): { dir: string; alwaysApplyFsGroup: boolean } {
    const dir = join(this.root, 'volumes', claim);
    makePersistentVolume(dir);
    const alwaysApplyFsGroup = this.fsGroupAlwaysOnce.delete(claim);
    return { dir, alwaysApplyFsGroup };
  }

  image(reference: string): { env: Record<string, string>; workingDir: string; user: number; caBundle: string | undefined; paths: readonly string[] } {
    if (!/\/polygres(:|@|$)/.test(reference)) throw new Error(`sandbox: no image ${reference} (only the runtime image is emulated)`);
    const caBundle = this.authorities.length ? join(this.root, 'image', 'ca-certificates.crt') : undefined;
    return { env: { ...IMAGE_ENV, PATH: `${join(this.root, 'image', 'bin')}:${SYSTEM_PATH}` }, workingDir: '/var/lib/polygres', user: 999, caBundle, paths: [this.options.repoRoot] };
  }

  hostsFile(pod: Pod): string {
    return hostsFile(pod, this.names, this.objects.namespace, this.nodeNames());
  }

  changed(): void {
    this.dirty = true;
    setImmediate(() => this.publish());
  }

  // PodStore --------------------------------------------------------------------------------

  owned(workload: Workload): OwnedPod[] {
    return [...this.records.values()].filter((record) => record.owner === ownerKey(workload) && !record.done);
  }

  finished(workload: Workload): OwnedPod[] {
    return [...this.records.values()].filter((record) => record.owner === ownerKey(workload) && record.done);
  }

  create(workload: Workload, name: string, spec: Record<string, unknown>, options: { hostname?: string; subdomain?: string; hash: string }): void {
    const zone = podZone(spec, name, this.zones());
    if (zone !== undefined && this.downZones.has(zone)) return;
    const labels = workload.body.spec.template.metadata?.labels ?? {};
    const pod = new Pod(this, name, workload.namespace, labels, this.withServiceAccount(spec), options.hostname ?? name, options.subdomain, this.root);
    const record: PodRecord = { pod, hash: options.hash, owner: ownerKey(workload), done: false };
    this.records.set(name, record);
    void pod.run().catch((error: Error) => this.recordError(pod, error)).finally(async () => {
      // A Job's pod stays (Completed); any other pod that ended is gone once deleted.
      if (!pod.deleting && (pod.phase === 'Succeeded' || pod.phase === 'Failed')) {
        record.done = true;
        return;
      }
      await pod.delete(0);
      record.done = true;
      if (this.records.get(name) === record) this.records.delete(name);
      this.changed();
    });
  }

  /** The workload is gone (replaced): its pods are deleted and its finished ones forgotten. */
  private forgetPods(workload: Workload): void {
    for (const [name, record] of this.records) {
      if (record.owner !== ownerKey(workload)) continue;
      this.records.delete(name);
      void record.pod.delete(0);
    }
  }

  private recordError(pod: Pod, error: Error): void {
    if (this.stopped) return;
    try {
      writeFileSync(join(pod.dir, 'logs', 'sandbox-error.log'), `${error.stack}\n`);
    } catch {
      // the pod's directory is gone with the sandbox
    }
  }

  remove(pod: Pod): void {
    void pod.delete();
  }

  // internals -------------------------------------------------------------------------------

  /**
   * What the API server's admission adds to every pod: the API server's address in the
   * environment and, when the pod or its service account asks for one, the account's token,
   * the cluster's CA and the namespace where client libraries look for them.
   */
  private withServiceAccount(spec: Json): Json {
    const accountName = spec.service_account_name ?? 'default';
    const automount = spec.automount_service_account_token ?? this.objects.serviceAccounts.get(accountName)?.automount_service_account_token ?? true;
    const env = [{ name: 'KUBERNETES_SERVICE_HOST', value: this.nodeIp }, { name: 'KUBERNETES_SERVICE_PORT', value: String(API_SERVER_PORT) }];
    const withEnv = (container: Json): Json => ({ ...container, env: [...env, ...(container.env ?? [])] });
    if (automount === false || !this.api) return { ...spec, container: (spec.container ?? []).map(withEnv) };
    const secret = `sandbox-token-${accountName}`;
    this.existingSecrets[secret] = { token: this.api.tokenFor(accountName), 'ca.crt': this.api.authority.certificatePem, namespace: this.objects.namespace };
    this.objects.secrets.set(secret, this.existingSecrets[secret]);
    const mount = { name: 'kube-api-access', mount_path: SERVICE_ACCOUNT_DIR, read_only: true };
    return {
      ...spec,
      volume: [...(spec.volume ?? []), { name: 'kube-api-access', secret: { secret_name: secret, default_mode: '0644' } }],
      container: (spec.container ?? []).map((container: Json) => ({ ...withEnv(container), volume_mount: [...(container.volume_mount ?? []), mount] })),
    };
  }

  private apiBackend(): ApiBackend {
    const records = (): PodRecord[] => [...this.records.values()].filter((record) => !record.done);
    const statefulSets = (): Workload[] => this.objects.workloads.filter((workload) => workload.kind === 'StatefulSet');
    return {
      namespace: () => this.objects.namespace,
      pods: () => records().map(({ pod, owner, hash }) => ({
        name: pod.name,
        // The StatefulSet controller labels each pod with the revision it was made from.
        labels: owner.startsWith(STATEFUL_SET_OWNER) ? { ...pod.labels, 'controller-revision-hash': revisionName(owner.slice(STATEFUL_SET_OWNER.length), hash) } : pod.labels,
        phase: pod.phase,
        ready: pod.ready,
        deleting: pod.deleting,
      })),
      statefulSets: () => statefulSets().map((workload) => ({ name: workload.name, labels: workload.body.metadata.labels ?? {}, updateRevision: revisionName(workload.name, templateHash(workload.body.spec.template)) })),
      deletePod: (name) => {
        const record = this.records.get(name);
        if (!record || record.done) return false;
        void record.pod.delete();
        return true;
      },
      roles: () => this.objects.roles,
      roleBindings: () => this.objects.roleBindings,
    };
  }

  private zones(): string[] {
    const zones = this.objects.workloads.map((workload) => requiredZone(workload.body.spec.template.spec)).filter((zone): zone is string => zone !== undefined);
    return [...new Set(zones)].sort();
  }

  private nodeNames(): Record<string, string> {
    return Object.fromEntries((this.options.namesOnTheNode ?? []).map((name) => [name, this.network.nodeIp]));
  }

  private load(): void {
    this.objects = clusterObjects(this.values!, this.existingSecrets);
    for (const [name, body] of this.objects.services) {
      if (body.spec.cluster_ip !== 'None' && !this.serviceIps.has(name)) this.serviceIps.set(name, this.network.allocateServiceIp());
    }
  }

  private serviceStates(): ServiceState[] {
    return [...this.objects.services].map(([name, body]) => ({ body, clusterIp: this.serviceIps.get(name) }));
  }

  private livePods(): Pod[] {
    return [...this.records.values()].filter((record) => !record.done).map((record) => record.pod);
  }

  private tick(): void {
    if (this.stopped) return;
    for (const workload of this.objects.workloads) reconcile(workload, this);
    if (this.dirty) this.publish();
  }

  /** Endpoints and names changed: new rules everywhere and every pod's /etc/hosts rewritten. */
  private publish(): void {
    if (!this.dirty || this.stopped) return;
    this.dirty = false;
    const pods = this.livePods();
    this.names = clusterNames(this.serviceStates(), pods, this.objects.namespace);
    for (const pod of pods) pod.writeHosts();
    void this.applyRules().catch(() => (this.dirty = true));
  }

  /**
   * The Services' rules and the network faults, rewritten everywhere when either changed; one
   * rewrite at a time, each from the pods as they are when it starts.
   */
  private applyRules(): Promise<void> {
    const next = this.rules.then(() => this.writeRules(), () => this.writeRules());
    this.rules = next.catch(() => undefined);
    return next;
  }

  private async writeRules(): Promise<void> {
    const pods = this.livePods();
    const routes = serviceRoutes(this.serviceStates(), pods);
    const placed = pods.flatMap((pod) => (pod.address && !pod.deleting ? [{ netns: pod.address.netns, ip: pod.address.ip, zone: this.zoneOf(pod) }] : []));
    const filters = partitionFilters(placed, this.cut);
    const key = JSON.stringify({ routes, filters: [...filters] });
    if (key === this.lastRules) return;
    this.lastRules = key;
    try {
      await this.network.setRules(routes, filters);
    } catch (error) {
      this.lastRules = '';
      throw error;
    }
  }

  private syncVolumes(): void {
    for (const pod of this.livePods()) if (pod.phase === 'Running' && !pod.deleting) pod.refreshProjectedVolumes();
  }

  /** The image's `polygres` is this repository's built CLI on this machine's Node. */
  private writeImage(): void {
    const bin = join(this.root, 'image', 'bin');
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'polygres'), `#!/bin/sh\nexec ${process.execPath} ${join(this.options.repoRoot, 'runtime', 'bin', 'polygres')} "$@"\n`, { mode: 0o755 });
    chmodSync(join(this.root, 'image'), 0o755);
  }
}

const STATEFUL_SET_OWNER = 'StatefulSet/';

function ownerKey(workload: Workload): string {
  return `${workload.kind}/${workload.name}`;
}

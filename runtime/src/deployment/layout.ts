/**
 * Where every process of a local cluster lives: ports, directories, log files. Computed once
 * by `polygres up` and written to `<state-dir>/layout.json`; every service reads it with
 * `--layout`, so the supervisor, the services and the CLI agree without talking.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { ClusterSpec } from '../spec/schema';
import type { OsUser } from '../util/os-account';

export const LAYOUT_VERSION = 1;
export const LOOPBACK = '127.0.0.1';
export const DEFAULT_BASE_PORT = 15432;

export interface InstanceLayout {
  readonly name: string;
  readonly zone: string;
  readonly host: string;
  /** Postgres port. */
  readonly port: number;
  readonly poolerPort: number;
  /** Pooler admin API (status, consensus). */
  readonly adminPort: number;
  /** Directory owned by the Postgres OS user: holds `pgdata/` and `postgres.log`. */
  readonly instanceDir: string;
  /**
   * Private Unix socket directory (mode 0700) through which the pooler — and the zone's gateway
   * when it shares the host — reach Postgres. Short, because socket paths are limited to about
   * 100 bytes.
   */
  readonly socketDir: string;
}

export interface GatewayLayout {
  readonly zone: string;
  readonly host: string;
  readonly port: number;
  /** Port that routes reads to replicas. */
  readonly replicaPort: number;
  readonly metricsPort: number;
}

export interface OrchestratorLayout {
  readonly name: string;
  readonly zone: string;
  readonly host: string;
  /** Admin API (HTTP/JSON) used by the CLI and the Terraform provider. */
  readonly adminPort: number;
}

export interface EtcdLayout {
  readonly name: string;
  readonly host: string;
  readonly clientPort: number;
  readonly peerPort: number;
  readonly dataDir: string;
  /** TLS on client and peer traffic, with client certificates required. Absent (older layouts): plain HTTP. */
  readonly tls?: EtcdTlsFiles;
  /**
   * With zone networks: one member per zone, in its zone's namespace, each on the ports above
   * (the name, host and data directory above are the first member's). Absent: one member.
   */
  readonly members?: readonly EtcdMember[];
}

/** One etcd member of a local cluster. */
export interface EtcdMember {
  readonly name: string;
  /** The zone whose network namespace it runs in; absent: the machine's own network. */
  readonly zone?: string;
  readonly host: string;
  readonly dataDir: string;
}

/**
 * A zone's own network on the local target: a network namespace, made beforehand by whoever
 * runs `up` (a partition test, an operator rehearsing one), with an address the machine
 * reaches. Every process of the zone — its instances, gateway, orchestrator and etcd member —
 * runs in it and listens on that address, so a filter between namespaces cuts zones apart as
 * a network partition between availability zones would.
 */
export interface ZoneNetwork {
  readonly netns: string;
  readonly ip: string;
}

/** etcd's TLS material: one authority, the certificate etcd serves, the one clients present. */
export interface EtcdTlsFiles {
  readonly caFile: string;
  readonly serverCertFile: string;
  readonly serverKeyFile: string;
  readonly clientCertFile: string;
  readonly clientKeyFile: string;
}

/**
 * The cluster's internal authority and the one certificate every service presents: its names
 * cover every instance, gateway and orchestrator host, so a peer checks the host it dialled.
 */
export interface InternalTlsFiles {
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
}

export interface ClusterLayout {
  readonly version: number;
  readonly cluster: string;
  readonly stateDir: string;
  readonly basePort: number;
  /** First and last port the cluster uses; a block no other cluster may overlap. */
  readonly portRange: readonly [number, number];
  readonly specFile: string;
  readonly secretsFile: string;
  readonly logDir: string;
  readonly runDir: string;
  /** Parent of the instance directories; outside the state dir when the Postgres user cannot reach it. */
  readonly dataRoot: string;
  /**
   * Where the files the services read live (this layout, the spec, the secrets, TLS, etcd's
   * data, the pgBackRest configuration): the state directory, or, when the services run as an
   * account that cannot reach it, a directory under /var/lib/polygres. Absent in older
   * layouts: the state directory.
   */
  readonly serviceDir?: string;
  /** The unprivileged account Postgres runs as when Polygres is started as root. */
  readonly postgresUser?: OsUser;
  /**
   * The account the services (etcd, poolers, gateways, orchestrators) run as: the Postgres
   * account when Polygres is started as root and that account can read the installation.
   * Absent: they run as whoever started Polygres.
   */
  readonly serviceUser?: OsUser;
  readonly etcd: EtcdLayout;
  readonly instances: readonly InstanceLayout[];
  readonly gateways: readonly GatewayLayout[];
  readonly orchestrators: readonly OrchestratorLayout[];
  /**
   * TLS between the cluster's own services when they talk across a network (Kubernetes):
   * streaming replication and every other Postgres TCP connection, gateway-to-pooler links and
   * the admin APIs. Absent (the local target, where everything is on loopback): plaintext.
   */
  readonly internalTls?: InternalTlsFiles;
  /** The local target with a network namespace per zone (see ZoneNetwork); absent: all on loopback. */
  readonly zoneNetworks?: Readonly<Record<string, ZoneNetwork>>;
  /** On Kubernetes: the labels of the instance pods and StatefulSets, for rolling updates. */
  readonly kubernetes?: { readonly instanceSelector: Readonly<Record<string, string>> };
}

/** How many ports a cluster of this spec occupies from its base port. */
export function portsNeeded(spec: ClusterSpec): number {
  return 3 * spec.zones.length + 2 + 3 * spec.instances.length + spec.zones.length;
}

/**
 * Assigns ports in a fixed order from `basePort`: gateways first (so the first zone's gateway
 * is on the base port itself), then replica and metrics ports, etcd, each instance's Postgres,
 * pooler and admin ports, and one orchestrator per zone.
 */
export function planLayout(options: {
  spec: ClusterSpec;
  stateDir: string;
  basePort: number;
  /** Where the services' files go (default: the state directory). */
  serviceDir?: string;
  dataRoot?: string;
  postgresUser?: OsUser;
  serviceUser?: OsUser;
  /** A network namespace per zone (every zone of the spec, or none). */
  zoneNetworks?: Readonly<Record<string, ZoneNetwork>>;
}): ClusterLayout {
  const { spec, stateDir, basePort, zoneNetworks } = options;
  const serviceDir = options.serviceDir ?? stateDir;
  const zones = spec.zones.length;
  let next = basePort + 3 * zones;
  const take = () => next++;
  const hostIn = (zone: string) => zoneNetworks?.[zone]?.ip ?? LOOPBACK;
  const gateways = spec.zones.map((zone, index) => ({
    zone: zone.name,
    host: hostIn(zone.name),
    port: basePort + index,
    replicaPort: basePort + zones + index,
    metricsPort: basePort + 2 * zones + index,
  }));
  const clientPort = take();
  const peerPort = take();
  const tls = etcdTlsFilesIn(serviceDir);
  // A member per zone when zones have networks of their own: a cut zone is then an etcd minority.
  const members = zoneNetworks
    ? spec.zones.map((zone) => ({ name: `${spec.name}-etcd-${zone.name}`, zone: zone.name, host: hostIn(zone.name), dataDir: join(serviceDir, `etcd-${zone.name}`) }))
    : undefined;
  const etcd: EtcdLayout = members
    ? { name: members[0]!.name, host: members[0]!.host, clientPort, peerPort, dataDir: members[0]!.dataDir, tls, members }
    : { name: `${spec.name}-etcd`, host: LOOPBACK, clientPort, peerPort, dataDir: join(serviceDir, 'etcd'), tls };
  const dataRoot = options.dataRoot ?? join(serviceDir, 'data');
  const instances = spec.instances.map((instance) => ({
    name: instance.name,
    zone: instance.zone,
    host: hostIn(instance.zone),
    port: take(),
    poolerPort: take(),
    adminPort: take(),
    instanceDir: join(dataRoot, instance.name),
    socketDir: socketDirFor(join(dataRoot, instance.name)),
  }));
  const orchestrators = spec.zones.map((zone) => ({
    name: `orchestrator-${zone.name}`,
    zone: zone.name,
    host: hostIn(zone.name),
    adminPort: take(),
  }));
  const layout: ClusterLayout = {
    version: LAYOUT_VERSION,
    cluster: spec.name,
    stateDir,
    basePort,
    portRange: [basePort, next - 1],
    specFile: join(serviceDir, 'spec.json'),
    secretsFile: join(serviceDir, 'secrets.json'),
    logDir: join(stateDir, 'logs'),
    runDir: join(stateDir, 'run'),
    dataRoot,
    serviceDir,
    etcd,
    instances,
    gateways,
    orchestrators,
    ...(zoneNetworks ? { zoneNetworks } : {}),
  };
  return { ...layout, ...(options.postgresUser ? { postgresUser: options.postgresUser } : {}), ...(options.serviceUser ? { serviceUser: options.serviceUser } : {}) };
}

/** `<instance>/socket` when short enough for `.s.PGSQL.<port>` to fit, else a short path under /tmp. */
export function socketDirFor(instanceDir: string): string {
  const preferred = join(instanceDir, 'socket');
  if (preferred.length + '/.s.PGSQL.65535'.length <= 100) return preferred;
  return join('/tmp', `polygres-${createHash('sha256').update(instanceDir).digest('hex').slice(0, 16)}`);
}

/**
 * The instances whose Postgres a zone's gateway serves from pools of its own, skipping the
 * pooler hop: those of its zone on its host (the local target; on Kubernetes the gateway is a
 * pod of its own and every instance is reached through its pooler).
 */
export function colocatedInstances(layout: ClusterLayout, gateway: GatewayLayout): InstanceLayout[] {
  return layout.instances.filter((instance) => instance.zone === gateway.zone && instance.host === gateway.host);
}

/** Does the zone's gateway serve this instance's Postgres directly (see colocatedInstances)? */
export function hasColocatedGateway(layout: ClusterLayout, instance: InstanceLayout): boolean {
  return layout.gateways.some((gateway) => colocatedInstances(layout, gateway).some((candidate) => candidate.name === instance.name));
}

/** Where the pooler also listens, beside Postgres' own socket in the private directory. */
export function poolerSocketPath(instance: InstanceLayout): string {
  return join(instance.socketDir, `.s.PGSQL.${instance.poolerPort}`);
}

export function pgDataDir(instance: InstanceLayout): string {
  return join(instance.instanceDir, 'pgdata');
}

export function postgresLogFile(instance: InstanceLayout): string {
  return join(instance.instanceDir, 'postgres.log');
}

/** Every etcd member of the cluster: one, or one per zone network. */
export function etcdMembers(layout: Pick<ClusterLayout, 'etcd'>): readonly EtcdMember[] {
  const { etcd } = layout;
  return etcd.members ?? [{ name: etcd.name, host: etcd.host, dataDir: etcd.dataDir }];
}

/** The client URL of every etcd member: a client goes on with another when one is cut off. */
export function etcdEndpoints(layout: ClusterLayout): string[] {
  return etcdMembers(layout).map((member) => `${layout.etcd.tls ? 'https' : 'http'}://${member.host}:${layout.etcd.clientPort}`);
}

export function layoutFile(stateDir: string): string {
  return join(stateDir, 'layout.json');
}

/** Where a service directory keeps etcd's TLS material (made by ensureEtcdTls). */
export function etcdTlsFilesIn(serviceDir: string): EtcdTlsFiles {
  const dir = join(serviceDir, 'tls', 'etcd');
  return {
    caFile: join(dir, 'ca.pem'),
    serverCertFile: join(dir, 'server.pem'),
    serverKeyFile: join(dir, 'server-key.pem'),
    clientCertFile: join(dir, 'client.pem'),
    clientKeyFile: join(dir, 'client-key.pem'),
  };
}

export function serviceDirOf(layout: ClusterLayout): string {
  return layout.serviceDir ?? layout.stateDir;
}

/** The copy of the layout the services are started with (in the service directory). */
export function serviceLayoutFile(layout: ClusterLayout): string {
  return layoutFile(serviceDirOf(layout));
}

export function findInstance(layout: ClusterLayout, name: string): InstanceLayout {
  const instance = layout.instances.find((candidate) => candidate.name === name);
  if (!instance) throw new Error(`instance "${name}" is not in the layout of cluster ${layout.cluster}`);
  return instance;
}

/** Every port the cluster listens on, with the process that owns it. */
export function allPorts(layout: ClusterLayout): { port: number; owner: string }[] {
  return [
    ...layout.gateways.flatMap((g) => [
      { port: g.port, owner: `gateway ${g.zone}` },
      { port: g.replicaPort, owner: `gateway ${g.zone} (replica reads)` },
      { port: g.metricsPort, owner: `gateway ${g.zone} (metrics)` },
    ]),
    { port: layout.etcd.clientPort, owner: 'etcd' },
    { port: layout.etcd.peerPort, owner: 'etcd (peer)' },
    ...layout.instances.flatMap((i) => [
      { port: i.port, owner: `postgres ${i.name}` },
      { port: i.poolerPort, owner: `pooler ${i.name}` },
      { port: i.adminPort, owner: `pooler ${i.name} (admin)` },
    ]),
    ...layout.orchestrators.map((o) => ({ port: o.adminPort, owner: o.name })),
  ];
}

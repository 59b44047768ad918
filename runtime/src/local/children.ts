/**
 * The processes of a local cluster, as the supervisor runs them. These command lines are the
 * ones the Kubernetes containers run too (`polygres pooler --layout ... --instance ...`).
 */
import { join, resolve } from 'node:path';
import { type ClusterLayout, type EtcdMember, type GatewayLayout, type InstanceLayout, type OrchestratorLayout, etcdMembers, serviceLayoutFile } from '../deployment/layout';
import { type DataPathRuntime, dataPathRuntime, runtimeEnvironment, runtimeExecutable, runtimeFlags } from './service-runtime';
import type { ChildSpec } from './supervisor';
import { placedInZone } from './zone-placement';

/** Path of the `polygres` launcher of this installation. */
export const POLYGRES_BIN = resolve(__dirname, '..', '..', 'bin', 'polygres');

/** The supervisor's names for the processes: their pid and log files are named after them. */
export const processName = {
  /** The one member of a cluster without zone networks keeps the plain name its files have always had. */
  etcd: (member: EtcdMember) => (member.zone === undefined ? 'etcd' : `etcd-${member.zone}`),
  pooler: (instance: InstanceLayout) => `pooler-${instance.name}`,
  gateway: (gateway: GatewayLayout) => `gateway-${gateway.zone}`,
  orchestrator: (orchestrator: OrchestratorLayout) => orchestrator.name,
};

export function processLogFile(layout: ClusterLayout, name: string): string {
  return join(layout.logDir, `${name}.log`);
}

/** Stop order: gateways first, etcd last (poolers stop their Postgres on the way). */
const STOP_GROUP = { etcd: 0, pooler: 1, orchestrator: 2, gateway: 3 } as const;

/**
 * Each process's name and stop group: `polygres down` stops what a killed supervisor left
 * behind in the supervisor's own order. Stopped all at once, a primary's pooler could stop its
 * Postgres while the orchestrators still ran and saw it go.
 */
export function stopGroups(layout: ClusterLayout): ReadonlyMap<string, number> {
  return new Map([
    ...etcdMembers(layout).map((member) => [processName.etcd(member), STOP_GROUP.etcd] as const),
    ...layout.orchestrators.map((o) => [processName.orchestrator(o), STOP_GROUP.orchestrator] as const),
    ...layout.instances.map((i) => [processName.pooler(i), STOP_GROUP.pooler] as const),
    ...layout.gateways.map((g) => [processName.gateway(g), STOP_GROUP.gateway] as const),
  ]);
}

/**
 * Every process runs as the cluster's unprivileged account when Polygres was started as root
 * (layout.serviceUser), reading the copy of the layout in the service directory.
 */
export function clusterChildren(layout: ClusterLayout): ChildSpec[] {
  const file = serviceLayoutFile(layout);
  const user = layout.serviceUser ? { user: layout.serviceUser } : {};
  // The data path (poolers, gateways) may run on Bun; the orchestrators always run on Node.
  const dataPath = dataPathRuntime();
  const internalHosts = [...etcdMembers(layout).map((member) => member.host), ...layout.instances.map((i) => i.host), ...layout.gateways.map((g) => g.host), ...layout.orchestrators.map((o) => o.host)];
  const service = (runtime: DataPathRuntime) => {
    // Found and computed once per runtime, not per process.
    const command = runtimeExecutable(runtime);
    const flags = runtimeFlags(runtime);
    const env = runtimeEnvironment(runtime, internalHosts);
    return (zone: string, name: string, group: number, args: string[], stopGraceMs?: number): ChildSpec => placedInZone({
      name,
      ...user,
      command,
      args: [...flags, POLYGRES_BIN, ...args, '--layout', file],
      env,
      logFile: processLogFile(layout, name),
      pidFile: join(layout.runDir, `${name}.pid`),
      stopGroup: group,
      ...(stopGraceMs ? { stopGraceMs } : {}),
    }, layout.zoneNetworks?.[zone]);
  };
  const node = service('node');
  const hot = service(dataPath);
  return [
    ...etcdMembers(layout).map((member) => placedInZone(etcdChild(layout, member), member.zone === undefined ? undefined : layout.zoneNetworks?.[member.zone])),
    ...layout.orchestrators.map((o) => node(o.zone, processName.orchestrator(o), STOP_GROUP.orchestrator, ['orchestrator', '--name', o.name])),
    // A pooler stops its Postgres (a checkpoint) before it exits: give it time.
    ...layout.instances.map((i) => hot(i.zone, processName.pooler(i), STOP_GROUP.pooler, ['pooler', '--instance', i.name], 90_000)),
    ...layout.gateways.map((g) => hot(g.zone, processName.gateway(g), STOP_GROUP.gateway, ['gateway', '--zone', g.zone])),
  ];
}

/**
 * One etcd member: on loopback, or one per zone network. With TLS (every layout since it
 * existed), both client and peer traffic need a certificate signed by the cluster's own etcd
 * authority.
 */
function etcdChild(layout: ClusterLayout, member: EtcdMember): ChildSpec {
  const { etcd } = layout;
  const scheme = etcd.tls ? 'https' : 'http';
  const client = `${scheme}://${member.host}:${etcd.clientPort}`;
  const peer = `${scheme}://${member.host}:${etcd.peerPort}`;
  const initialCluster = etcdMembers(layout).map((each) => `${each.name}=${scheme}://${each.host}:${etcd.peerPort}`).join(',');
  const name = processName.etcd(member);
  const tls = etcd.tls
    ? [
        '--cert-file', etcd.tls.serverCertFile, '--key-file', etcd.tls.serverKeyFile,
        '--client-cert-auth', '--trusted-ca-file', etcd.tls.caFile,
        '--peer-cert-file', etcd.tls.serverCertFile, '--peer-key-file', etcd.tls.serverKeyFile,
        '--peer-client-cert-auth', '--peer-trusted-ca-file', etcd.tls.caFile,
      ]
    : [];
  return {
    name,
    ...(layout.serviceUser ? { user: layout.serviceUser } : {}),
    command: 'etcd',
    args: [
      ...tls,
      '--name', member.name,
      '--data-dir', member.dataDir,
      '--listen-client-urls', client,
      '--advertise-client-urls', client,
      '--listen-peer-urls', peer,
      '--initial-advertise-peer-urls', peer,
      '--initial-cluster', initialCluster,
      '--initial-cluster-state', 'new',
      '--initial-cluster-token', `polygres-${layout.cluster}`,
      '--auto-compaction-mode', 'revision',
      '--auto-compaction-retention', '1000',
      '--logger', 'zap',
      '--log-level', 'warn',
    ],
    // etcd 3.4 refuses to start on arm64 unless told that is intended.
    ...(process.arch === 'arm64' ? { env: { ETCD_UNSUPPORTED_ARCH: 'arm64' } } : {}),
    logFile: processLogFile(layout, name),
    pidFile: join(layout.runDir, `${name}.pid`),
    stopGroup: STOP_GROUP.etcd,
  };
}

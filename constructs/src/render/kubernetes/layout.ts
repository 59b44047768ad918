/**
 * The layout file (runtime/src/deployment/layout.ts, version 1) as the pods see it: the same
 * document the local target writes, with Kubernetes DNS names and fixed ports instead of
 * loopback and a port block. Every service starts with `--layout`, exactly as locally.
 * test/runtime-contract.test.ts type-checks it against the runtime's ClusterLayout.
 */
import { createHash } from 'node:crypto';
import type { ClusterSpecDocument } from '../../model/cluster-spec';
import type { ClusterNames } from './naming';
import { PATHS, PORTS } from './settings';

export interface RenderedLayout {
  version: number;
  cluster: string;
  stateDir: string;
  basePort: number;
  portRange: [number, number];
  specFile: string;
  secretsFile: string;
  logDir: string;
  runDir: string;
  dataRoot: string;
  etcd: {
    name: string;
    host: string;
    clientPort: number;
    peerPort: number;
    dataDir: string;
    tls: { caFile: string; serverCertFile: string; serverKeyFile: string; clientCertFile: string; clientKeyFile: string };
  };
  instances: { name: string; zone: string; host: string; port: number; poolerPort: number; adminPort: number; instanceDir: string; socketDir: string }[];
  gateways: { zone: string; host: string; port: number; replicaPort: number; metricsPort: number }[];
  orchestrators: { name: string; zone: string; host: string; adminPort: number }[];
  internalTls: { caFile: string; certFile: string; keyFile: string };
  kubernetes: { instanceSelector: Record<string, string> };
}

export const LAYOUT_FILE = `${PATHS.config}/layout.json`;
export const SPEC_FILE = `${PATHS.config}/spec.json`;
export const SECRETS_FILE = `${PATHS.secrets}/secrets.json`;
/** Where every runtime pod finds the internal authority and the services' certificate. */
export const INTERNAL_TLS_FILES = {
  caFile: `${PATHS.internalTls}/ca.crt`,
  certFile: `${PATHS.internalTls}/tls.crt`,
  keyFile: `${PATHS.internalTls}/tls.key`,
};
/** Where every pod finds etcd's TLS material (the etcd TLS Secret's keys). */
export const ETCD_TLS_FILES = {
  caFile: `${PATHS.etcdTls}/ca.crt`,
  serverCertFile: `${PATHS.etcdTls}/server.crt`,
  serverKeyFile: `${PATHS.etcdTls}/server.key`,
  clientCertFile: `${PATHS.etcdTls}/client.crt`,
  clientKeyFile: `${PATHS.etcdTls}/client.key`,
};

export function renderLayout(spec: ClusterSpecDocument, names: ClusterNames): RenderedLayout {
  const dataRoot = `${PATHS.state}/data`;
  const gatewayPort = spec.gateway.port;
  const ports = [gatewayPort, gatewayPort + 1, ...Object.values(PORTS)];
  return {
    version: 1,
    cluster: spec.name,
    stateDir: PATHS.state,
    basePort: gatewayPort,
    portRange: [Math.min(...ports), Math.max(...ports)],
    specFile: SPEC_FILE,
    secretsFile: SECRETS_FILE,
    logDir: `${PATHS.state}/logs`,
    runDir: `${PATHS.state}/run`,
    dataRoot,
    // One client endpoint: the etcd Service spreads connections over the members.
    etcd: { name: names.etcd(), host: names.fqdn(names.etcd()), clientPort: PORTS.etcdClient, peerPort: PORTS.etcdPeer, dataDir: PATHS.etcdData, tls: ETCD_TLS_FILES },
    instances: spec.instances.map((instance) => ({
      name: instance.name,
      zone: instance.zone,
      host: names.instanceHost(instance.name),
      port: PORTS.postgres,
      poolerPort: PORTS.pooler,
      adminPort: PORTS.poolerAdmin,
      instanceDir: `${dataRoot}/${instance.name}`,
      socketDir: socketDirFor(`${dataRoot}/${instance.name}`),
    })),
    gateways: spec.zones.map((zone) => ({
      zone: zone.name,
      host: names.fqdn(names.gateway(zone.name)),
      port: gatewayPort,
      replicaPort: gatewayPort + 1,
      metricsPort: PORTS.gatewayMetrics,
    })),
    orchestrators: spec.zones.map((zone) => ({
      name: `orchestrator-${zone.name}`,
      zone: zone.name,
      host: names.fqdn(names.orchestrator(zone.name)),
      adminPort: PORTS.orchestratorAdmin,
    })),
    // Pods talk across zones: replication, links and admin calls are TLS, verified by host name.
    internalTls: INTERNAL_TLS_FILES,
    // The orchestrators find the instance pods and StatefulSets by these labels to roll them.
    kubernetes: { instanceSelector: names.selector('postgres') },
  };
}

/** The runtime's rule (layout.ts socketDirFor): `<instance>/socket` when the socket path fits. */
function socketDirFor(instanceDir: string): string {
  const preferred = `${instanceDir}/socket`;
  if (preferred.length + '/.s.PGSQL.65535'.length <= 100) return preferred;
  return `/tmp/polygres-${createHash('sha256').update(instanceDir).digest('hex').slice(0, 16)}`;
}

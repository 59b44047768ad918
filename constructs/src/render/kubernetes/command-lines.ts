/**
 * The process command lines of the pods: the ones the local target's supervisor runs
 * (runtime/src/local/children.ts), with the layout file mounted from the ConfigMap.
 * test/runtime-contract.test.ts compares them with the runtime's.
 */
import type { ClusterNames } from './naming';
import { ETCD_TLS_FILES, LAYOUT_FILE } from './layout';
import { ETCD_MEMBERS, PATHS, PORTS } from './settings';

export const POLYGRES = 'polygres';

export function poolerArgs(instance: string): string[] {
  return ['pooler', '--instance', instance, '--layout', LAYOUT_FILE];
}

export function gatewayArgs(zone: string): string[] {
  return ['gateway', '--zone', zone, '--layout', LAYOUT_FILE];
}

export function orchestratorArgs(name: string): string[] {
  return ['orchestrator', '--name', name, '--layout', LAYOUT_FILE];
}

/**
 * etcd as the local target starts it, as one member of three: `$(POD_NAME)` is expanded by
 * Kubernetes from the pod's environment. Client and peer traffic need a certificate of the
 * cluster's etcd authority; only /health and /metrics are served without one, on their own
 * port, for the probes.
 */
export function etcdArgs(names: ClusterNames): string[] {
  const peer = `https://$(POD_NAME).${names.fqdn(names.etcdPeers())}:${PORTS.etcdPeer}`;
  const client = `https://$(POD_NAME).${names.fqdn(names.etcdPeers())}:${PORTS.etcdClient}`;
  const members = Array.from({ length: ETCD_MEMBERS }, (_, index) => `${names.etcdMember(index)}=${names.etcdPeerUrl(index)}`);
  const tls = ETCD_TLS_FILES;
  return [
    '--cert-file', tls.serverCertFile, '--key-file', tls.serverKeyFile,
    '--client-cert-auth', '--trusted-ca-file', tls.caFile,
    '--peer-cert-file', tls.serverCertFile, '--peer-key-file', tls.serverKeyFile,
    '--peer-client-cert-auth', '--peer-trusted-ca-file', tls.caFile,
    '--name', '$(POD_NAME)',
    '--data-dir', PATHS.etcdData,
    '--listen-client-urls', `https://0.0.0.0:${PORTS.etcdClient}`,
    '--advertise-client-urls', client,
    '--listen-peer-urls', `https://0.0.0.0:${PORTS.etcdPeer}`,
    '--initial-advertise-peer-urls', peer,
    '--initial-cluster', members.join(','),
    '--initial-cluster-state', 'new',
    '--initial-cluster-token', `polygres-${names.cluster}`,
    '--auto-compaction-mode', 'revision',
    '--auto-compaction-retention', '1000',
    '--logger', 'zap',
    '--log-level', 'warn',
    '--listen-metrics-urls', `http://0.0.0.0:${PORTS.etcdMetrics}`,
  ];
}

import { PostgresControl } from './postgres-control';
import type { ClusterLayout, InstanceLayout } from '../deployment/layout';

/** A cluster whose every instance is on this machine accepts password connections from loopback only. */
const LOOPBACK_NETWORKS = ['127.0.0.1/32', '::1/128'];
/**
 * Any other (Kubernetes: every instance's host is its pod's DNS name) is reached from pod
 * addresses — health checks, pg_basebackup, streaming, pg_rewind — which are not known in
 * advance: password connections from anywhere, SCRAM still required. Who may reach the port
 * at all is the NetworkPolicy's decision (only instance pods reach Postgres).
 */
const ANY_NETWORK = ['0.0.0.0/0', '::/0'];

const isLoopback = (host: string) => host === 'localhost' || host === '::1' || host.startsWith('127.');

/** The networks pg_hba.conf lets in with a password. */
export function hbaNetworksFor(layout: ClusterLayout): readonly string[] {
  return layout.instances.every((instance) => isLoopback(instance.host)) ? LOOPBACK_NETWORKS : ANY_NETWORK;
}

/** The control of one instance's Postgres, run as the cluster's OS user. */
export function instancePostgres(layout: ClusterLayout, instance: InstanceLayout): PostgresControl {
  return new PostgresControl({
    instanceDir: instance.instanceDir,
    hbaNetworks: hbaNetworksFor(layout),
    socketDir: instance.socketDir,
    ...(layout.internalTls ? { tls: layout.internalTls } : {}),
    ...(layout.postgresUser ? { osUser: layout.postgresUser } : {}),
  });
}

import { PostgresControl } from './postgres-control';
import type { ClusterLayout, InstanceLayout } from '../deployment/layout';

/** Local clusters accept password connections from loopback only. */
const LOOPBACK_NETWORKS = ['127.0.0.1/32', '::1/128'];

/** The control of one instance's Postgres in a local cluster, run as the cluster's OS user. */
export function instancePostgres(layout: ClusterLayout, instance: InstanceLayout): PostgresControl {
  return new PostgresControl({
    instanceDir: instance.instanceDir,
    hbaNetworks: LOOPBACK_NETWORKS,
    socketDir: instance.socketDir,
    ...(layout.postgresUser ? { osUser: layout.postgresUser } : {}),
  });
}

/**
 * The topology store as a cluster's layout says to reach it: etcd's endpoint and, where etcd
 * requires one, the client certificate every service and the CLI present.
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { EtcdTopoStore } from '../topo/etcd-topo-store';
import type { TopoStore } from '../topo/topo-store';
import { type ClusterLayout, etcdEndpoints } from './layout';

export function openTopoStore(layout: ClusterLayout, options: { callTimeoutMs?: number } = {}): TopoStore {
  const tls = layout.etcd.tls;
  return new EtcdTopoStore({
    endpoints: etcdEndpoints(layout),
    cluster: layout.cluster,
    ...(options.callTimeoutMs !== undefined ? { callTimeoutMs: options.callTimeoutMs } : {}),
    // On loopback the certificate is checked against "localhost" (one of its names): TLS has
    // no server name for an IP address.
    ...(tls ? { tls: { ca: readFileSync(tls.caFile), cert: readFileSync(tls.clientCertFile), key: readFileSync(tls.clientKeyFile), ...(isIP(layout.etcd.host) ? { serverName: 'localhost' } : {}) } } : {}),
  });
}

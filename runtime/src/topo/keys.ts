/** etcd key layout; everything for a cluster sits under one prefix. */
export const SHARD = '0-inf';

export function clusterPrefix(cluster: string): string {
  return `/polygres/v1/${cluster}/`;
}

export const keys = {
  rule: (cluster: string) => `${clusterPrefix(cluster)}shards/${SHARD}/rule`,
  term: (cluster: string) => `${clusterPrefix(cluster)}shards/${SHARD}/term`,
  history: (cluster: string) => `${clusterPrefix(cluster)}shards/${SHARD}/history/`,
  backups: (cluster: string) => `${clusterPrefix(cluster)}shards/${SHARD}/backups`,
  /** Held under the lease of the orchestrator running the election of `term`. */
  electionHolder: (cluster: string, term: number) => `${clusterPrefix(cluster)}shards/${SHARD}/election-holders/${term}`,
  instance: (cluster: string, name: string) => `${clusterPrefix(cluster)}instances/${name}`,
  instances: (cluster: string) => `${clusterPrefix(cluster)}instances/`,
  gateway: (cluster: string, zone: string) => `${clusterPrefix(cluster)}gateways/${zone}`,
  gateways: (cluster: string) => `${clusterPrefix(cluster)}gateways/`,
  gatewayReplica: (cluster: string, zone: string, address: string, port: number) => `${clusterPrefix(cluster)}gateway-replicas/${zone}/${address}:${port}`,
  gatewayReplicas: (cluster: string) => `${clusterPrefix(cluster)}gateway-replicas/`,
};

/**
 * The Kubernetes target's props with every default resolved, plus the fixed ports and paths
 * the rendered pods share (the layout file, the mounts and the probes all use these).
 */
import type { KubernetesTargetProps, KubernetesToleration } from '../../model/target-props';

export const PORTS = {
  postgres: 5432,
  pooler: 6432,
  poolerAdmin: 8008,
  orchestratorAdmin: 8009,
  gatewayMetrics: 9187,
  etcdClient: 2379,
  etcdPeer: 2380,
  /** etcd's /health and /metrics over plain HTTP, for the probes (the client port requires a certificate). */
  etcdMetrics: 2381,
} as const;

export const PATHS = {
  /** ConfigMap mount: layout.json and spec.json. */
  config: '/etc/polygres',
  /** Internal Secret mount: secrets.json. */
  secrets: '/etc/polygres/secrets',
  /** Gateway certificate mount. */
  tls: '/etc/polygres/tls',
  /** etcd's TLS material: its authority, its server certificate and the client certificate. */
  etcdTls: '/etc/polygres/etcd-tls',
  /** The internal authority and the services' certificate (replication, links, admin APIs). */
  internalTls: '/etc/polygres/internal-tls',
  /** State directory: the data volume of instances, an emptyDir elsewhere. */
  state: '/var/lib/polygres',
  /** etcd's volume; its data directory is a subdirectory etcd creates with mode 0700. */
  etcdVolume: '/var/lib/etcd',
  etcdData: '/var/lib/etcd/data',
} as const;

/** The Postgres OS user of the image (Dockerfile); every Polygres container runs as it. */
export const RUNTIME_UID = 999;

export const ETCD_MEMBERS = 3;

export interface KubernetesSettings {
  readonly namespace: string;
  readonly createNamespace: boolean;
  readonly image: string;
  readonly imagePullPolicy: string;
  readonly zoneLabel: string;
  readonly storageClass?: string;
  readonly tlsSecretName?: string;
  readonly gatewayServiceType: string;
  readonly clusterDomain: string;
  readonly serviceAccountAnnotations: Readonly<Record<string, string>>;
  readonly priorityClassName?: string;
  readonly tolerations: readonly KubernetesToleration[];
  readonly monitoring: MonitoringSettings;
}

/** `monitoring` with its defaults. */
export interface MonitoringSettings {
  readonly podMonitors: boolean;
  readonly prometheusRule: boolean;
  readonly prometheusNamespace: string;
  readonly labels: Readonly<Record<string, string>>;
}

export function resolveSettings(cluster: string, props: KubernetesTargetProps): KubernetesSettings {
  return {
    namespace: props.namespace ?? cluster,
    createNamespace: props.createNamespace ?? true,
    image: `${props.image ?? 'ghcr.io/polygres/polygres'}:${props.imageTag ?? '0.1.0'}`,
    imagePullPolicy: props.imagePullPolicy ?? 'IfNotPresent',
    zoneLabel: props.zoneLabel ?? 'topology.kubernetes.io/zone',
    ...(props.storageClass ? { storageClass: props.storageClass } : {}),
    ...(props.tlsSecretName ? { tlsSecretName: props.tlsSecretName } : {}),
    gatewayServiceType: props.gatewayServiceType ?? 'ClusterIP',
    clusterDomain: props.clusterDomain ?? 'cluster.local',
    serviceAccountAnnotations: { ...(props.serviceAccountAnnotations ?? {}) },
    ...(props.priorityClassName ? { priorityClassName: props.priorityClassName } : {}),
    tolerations: [...(props.tolerations ?? [])],
    monitoring: {
      podMonitors: props.monitoring?.podMonitors ?? false,
      prometheusRule: props.monitoring?.prometheusRule ?? false,
      prometheusNamespace: props.monitoring?.prometheusNamespace ?? 'monitoring',
      labels: { ...(props.monitoring?.labels ?? {}) },
    },
  };
}

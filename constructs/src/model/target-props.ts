/** Where a cluster runs: the props of `Target.kubernetes` and `Target.local`. */
import type { MonitoringOptions } from './monitoring-options';
import type { ContainerResources } from './resources';

/** Props of `Target.kubernetes`. */
export interface KubernetesTargetProps {
  /**
   * Namespace the cluster lives in.
   * @default the cluster name
   */
  readonly namespace?: string;
  /**
   * Create the namespace (set false when it exists already).
   * @default true
   */
  readonly createNamespace?: boolean;
  /**
   * Runtime image repository, built from the repository's Dockerfile.
   * @default 'ghcr.io/polygres/polygres'
   */
  readonly image?: string;
  /**
   * Runtime image tag.
   * @default '0.1.0'
   */
  readonly imageTag?: string;
  /**
   * Image pull policy of every container.
   * @default 'IfNotPresent'
   */
  readonly imagePullPolicy?: string;
  /**
   * Node label that names a node's zone; each zone's pods require its value.
   * @default 'topology.kubernetes.io/zone'
   */
  readonly zoneLabel?: string;
  /**
   * Storage class of data volumes where a zone sets none.
   * @default the Kubernetes cluster's default storage class
   */
  readonly storageClass?: string;
  /**
   * An existing `kubernetes.io/tls` Secret (with `tls.crt`, `tls.key` and `ca.crt`, e.g. from
   * cert-manager) for the gateways.
   * @default a certificate authority and gateway certificate generated with the tls provider
   */
  readonly tlsSecretName?: string;
  /**
   * Type of the cluster-wide gateway Service (`ClusterIP`, `LoadBalancer`, `NodePort`).
   * @default 'ClusterIP'
   */
  readonly gatewayServiceType?: string;
  /**
   * DNS domain of the Kubernetes cluster.
   * @default 'cluster.local'
   */
  readonly clusterDomain?: string;
  /**
   * Resources of each orchestrator pod.
   * @default cpu 100m, memory 128Mi
   */
  readonly orchestratorResources?: ContainerResources;
  /**
   * Resources of each etcd member.
   * @default cpu 100m, memory 256Mi
   */
  readonly etcdResources?: ContainerResources;
  /**
   * Size of each etcd member's volume.
   * @default '2Gi'
   */
  readonly etcdStorageSize?: string;
  /**
   * Annotations of the service account every Polygres pod runs as, to give the pods a cloud
   * identity: on EKS with IRSA `{ 'eks.amazonaws.com/role-arn': 'arn:aws:iam::...:role/...' }`,
   * which an S3 backup repository with `keyType: S3KeyType.WEB_ID` then uses instead of a key.
   * @default none
   */
  readonly serviceAccountAnnotations?: { [key: string]: string };
  /**
   * PriorityClass of every Polygres pod, so that a node short of resources evicts other pods
   * before the database's (e.g. `system-cluster-critical`, or a class of your own).
   * @default none (the cluster's default priority)
   */
  readonly priorityClassName?: string;
  /**
   * Tolerations of every Polygres pod, to run on tainted nodes set aside for databases.
   * @default none
   */
  readonly tolerations?: KubernetesToleration[];
  /**
   * Monitoring: the namespace Prometheus scrapes from, and optionally Prometheus Operator
   * PodMonitors and a PrometheusRule with Polygres' alert rules.
   * @default scrape annotations and access for the namespace `monitoring`; no PodMonitor or PrometheusRule
   */
  readonly monitoring?: MonitoringOptions;
}

/** A pod toleration, as Kubernetes spells it. */
export interface KubernetesToleration {
  /** Taint key; empty with operator `Exists` matches every taint. @default '' */
  readonly key?: string;
  /** `Equal` or `Exists`. @default 'Equal' */
  readonly operator?: string;
  /** Taint value (with `Equal`). @default '' */
  readonly value?: string;
  /** `NoSchedule`, `PreferNoSchedule` or `NoExecute`; empty matches all. @default '' */
  readonly effect?: string;
  /** With `NoExecute`: how long the pod stays bound after the taint appears. @default forever */
  readonly tolerationSeconds?: number;
}

/** Props of `Target.local`. */
export interface LocalTargetProps {
  /**
   * State directory passed to `polygres up --state-dir`.
   * @default '.polygres/<cluster>' (the runtime's default)
   */
  readonly stateDir?: string;
  /**
   * First port of the block the cluster uses (`polygres up --base-port`).
   * @default 15432
   */
  readonly basePort?: number;
}

/** Where a cluster runs. */

/**
 * Everything a PolygresCluster declares, in one renderer-neutral record: the checks and every
 * renderer read this, never the construct (the model kept apart from its renderers).
 */
import type { BackupPolicy } from './backup-policy';
import type { DurabilityPolicy } from './durability-policy';
import type { GatewayOptions } from './gateway-options';
import type { MonitoringOptions } from './monitoring-options';
import type { PoolerOptions } from './pooler-options';
import type { PostgresOptions } from './postgres-options';
import type { ContainerResources } from './resources';
import type { KubernetesToleration } from './target-props';
import type { Zone } from './zone';

export interface UserDeclaration {
  readonly name: string;
  readonly databases: readonly string[];
}

/** The Kubernetes-only settings the checks look at. */
export interface KubernetesDeclaration {
  readonly namespace: string;
  readonly orchestratorResources?: ContainerResources;
  readonly etcdResources?: ContainerResources;
  readonly etcdStorageSize?: string;
  readonly serviceAccountAnnotations?: Readonly<Record<string, string>>;
  readonly monitoring?: MonitoringOptions;
  readonly priorityClassName?: string;
  readonly tolerations?: readonly KubernetesToleration[];
}

/** The local-only settings the checks look at. */
export interface LocalDeclaration {
  readonly basePort: number;
}

export interface ClusterDeclaration {
  readonly name: string;
  readonly zones: readonly Zone[];
  readonly durability: DurabilityPolicy;
  readonly postgres: PostgresOptions;
  readonly pooler: PoolerOptions;
  readonly gateway: GatewayOptions;
  readonly backup?: BackupPolicy;
  readonly kubernetes?: KubernetesDeclaration;
  readonly local?: LocalDeclaration;
  readonly users: readonly UserDeclaration[];
  readonly databases: readonly string[];
}

/** Every instance of the cluster with its zone, in declaration order. */
export function instancesOf(declaration: Pick<ClusterDeclaration, 'zones'>): { name: string; zone: string }[] {
  return declaration.zones.flatMap((zone) => zone.instanceNames().map((name) => ({ name, zone: zone.name })));
}

/**
 * Where a renderer reads its cluster's declaration: the cluster construct, asked again at
 * synth so what was added after construction (users, databases) counts.
 */
export interface IClusterDeclarationSource {
  /** @internal */
  _declaration(): ClusterDeclaration;
}

import type { ClusterDeclaration } from '../../model/cluster-declaration';
import type { ClusterSpecDocument } from '../../model/cluster-spec';
import type { ClusterNames } from './naming';
import type { KubernetesSettings } from './settings';

/** What every part of the Kubernetes renderer reads. */
export interface RenderContext {
  readonly declaration: ClusterDeclaration;
  readonly spec: ClusterSpecDocument;
  readonly names: ClusterNames;
  readonly settings: KubernetesSettings;
  /** The namespace name (a reference to the Namespace resource when it is created). */
  readonly namespace: string;
  /** Secret mounted as the gateways' certificate, if TLS is on. */
  readonly tlsSecretName?: string;
}

/** Metadata of a namespaced object of the cluster. */
export function metadata(context: RenderContext, name: string, labels: Record<string, string> = context.names.common()) {
  return { name, namespace: context.namespace, labels };
}

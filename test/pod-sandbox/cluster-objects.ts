/**
 * The Kubernetes objects of a synthesized stack, its Terraform values applied: ConfigMaps,
 * Secrets, Services, the workloads, and the service accounts with their Roles, by name. Secrets that exist before the stack (the
 * user's, such as S3 credentials) are added beside the rendered ones.
 */
import type { Json, TerraformValues } from './terraform-values';

export interface Workload {
  readonly kind: 'StatefulSet' | 'Deployment' | 'Job';
  readonly name: string;
  readonly namespace: string;
  readonly body: Json;
}

export interface ClusterObjects {
  readonly namespace: string;
  readonly configMaps: Map<string, Record<string, string>>;
  readonly secrets: Map<string, Record<string, string>>;
  readonly services: Map<string, Json>;
  readonly workloads: Workload[];
  readonly serviceAccounts: Map<string, Json>;
  readonly roles: Map<string, Json>;
  readonly roleBindings: Json[];
}

export function clusterObjects(values: TerraformValues, existingSecrets: Record<string, Record<string, string>>): ClusterObjects {
  const named = (type: string): Json[] => Object.values(values.resources(type));
  const [namespaceObject] = named('kubernetes_namespace_v1');
  const workloads: Workload[] = [
    ...named('kubernetes_stateful_set_v1').map((body) => workload('StatefulSet', body)),
    ...named('kubernetes_deployment_v1').map((body) => workload('Deployment', body)),
    ...named('kubernetes_job_v1').map((body) => workload('Job', body)),
  ];
  return {
    namespace: namespaceObject?.metadata?.name ?? 'default',
    configMaps: new Map(named('kubernetes_config_map_v1').map((body) => [body.metadata.name, body.data ?? {}])),
    secrets: new Map([...Object.entries(existingSecrets), ...named('kubernetes_secret_v1').map((body): [string, Record<string, string>] => [body.metadata.name, body.data ?? {}])]),
    services: new Map(named('kubernetes_service_v1').map((body) => [body.metadata.name, body])),
    workloads,
    serviceAccounts: new Map(named('kubernetes_service_account_v1').map((body) => [body.metadata.name, body])),
    roles: new Map(named('kubernetes_role_v1').map((body) => [body.metadata.name, body])),
    roleBindings: named('kubernetes_role_binding_v1'),
  };
}

function workload(kind: Workload['kind'], body: Json): Workload {
  return { kind, name: body.metadata.name, namespace: body.metadata.namespace ?? 'default', body };
}

/** Whether `labels` has every key and value of `selector`. */
export function matches(selector: Record<string, string> | undefined, labels: Record<string, string>): boolean {
  if (!selector) return false;
  return Object.entries(selector).every(([key, value]) => labels[key] === value);
}

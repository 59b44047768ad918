/**
 * The pods' identity. The runtime reads its configuration from mounted files, so the pods'
 * service account gets no token mounted and its Role allows only reading the cluster's own
 * ConfigMap — nothing a stolen pod could use against others. Its annotations
 * (Target.kubernetes serviceAccountAnnotations) can name a cloud role, e.g. for S3 backups
 * without a key.
 *
 * The orchestrators alone call the API, to roll the instance pods after an update
 * (runtime/src/orchestrator/rolling-update): their own account, with a token, may list the
 * cluster's pods and StatefulSets and delete the instance pods by name — nothing else.
 */
import { RoleBindingV1 } from '@cdktf/provider-kubernetes/lib/role-binding-v1';
import { RoleV1 } from '@cdktf/provider-kubernetes/lib/role-v1';
import { ServiceAccountV1 } from '@cdktf/provider-kubernetes/lib/service-account-v1';
import type { Construct } from 'constructs';
import { type RenderContext, metadata } from './render-context';

export function renderRbac(scope: Construct, context: RenderContext): { serviceAccount: ServiceAccountV1; role: RoleV1; binding: RoleBindingV1 } {
  const { names } = context;
  const annotations = context.settings.serviceAccountAnnotations;
  const serviceAccount = new ServiceAccountV1(scope, 'service-account', {
    // Annotations give the pods a cloud identity (IRSA's role ARN); EKS's webhook then mounts a
    // token for STS in a volume of its own, so the Kubernetes API token stays unmounted.
    metadata: { ...metadata(context, names.serviceAccount()), ...(Object.keys(annotations).length > 0 ? { annotations: { ...annotations } } : {}) },
    automountServiceAccountToken: false,
  });
  const role = new RoleV1(scope, 'role', {
    metadata: metadata(context, names.serviceAccount()),
    rule: [{ apiGroups: [''], resources: ['configmaps'], resourceNames: [names.config()], verbs: ['get'] }],
  });
  const binding = bindRole(scope, 'role-binding', context, names.serviceAccount(), role, serviceAccount);
  return { serviceAccount, role, binding };
}

export function renderOrchestratorRbac(scope: Construct, context: RenderContext): ServiceAccountV1 {
  const { names } = context;
  const name = names.orchestratorServiceAccount();
  // No cloud identity: orchestrators reach the backup repository only through the poolers.
  const serviceAccount = new ServiceAccountV1(scope, 'orchestrator-service-account', {
    metadata: metadata(context, name),
    automountServiceAccountToken: true,
  });
  const instancePods = context.spec.instances.map((instance) => `${names.instance(instance.name)}-0`);
  const role = new RoleV1(scope, 'orchestrator-role', {
    metadata: metadata(context, name),
    rule: [
      { apiGroups: [''], resources: ['pods'], verbs: ['list'] },
      { apiGroups: ['apps'], resources: ['statefulsets'], verbs: ['list'] },
      { apiGroups: [''], resources: ['pods'], resourceNames: instancePods, verbs: ['delete'] },
    ],
  });
  bindRole(scope, 'orchestrator-role-binding', context, name, role, serviceAccount);
  return serviceAccount;
}

/** Grants `role` to `serviceAccount` in a binding named `name` (the service account's name). */
function bindRole(scope: Construct, id: string, context: RenderContext, name: string, role: RoleV1, serviceAccount: ServiceAccountV1): RoleBindingV1 {
  return new RoleBindingV1(scope, id, {
    metadata: metadata(context, name),
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role.metadata.name },
    subject: [{ kind: 'ServiceAccount', name: serviceAccount.metadata.name, namespace: context.namespace }],
  });
}

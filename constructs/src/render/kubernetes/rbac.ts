/**
 * The pods' identity. The runtime reads its configuration from mounted files and never calls
 * the Kubernetes API, so the service account gets no token mounted and its Role allows only
 * reading the cluster's own ConfigMap — nothing a stolen pod could use against others. Its
 * annotations (Target.kubernetes serviceAccountAnnotations) can name a cloud role, e.g. for
 * S3 backups without a key.
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
  const binding = new RoleBindingV1(scope, 'role-binding', {
    metadata: metadata(context, names.serviceAccount()),
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role.metadata.name },
    subject: [{ kind: 'ServiceAccount', name: serviceAccount.metadata.name, namespace: context.namespace }],
  });
  return { serviceAccount, role, binding };
}

/**
 * Pieces every Polygres pod shares: zone pinning, spreading, the mounts of the layout,
 * spec, secrets and TLS, the backup secrets' environment, resources and the security
 * context. Typed with the StatefulSet structs; Deployments and Jobs take the same shapes.
 */
import type {
  StatefulSetV1SpecTemplateSpec,
  StatefulSetV1SpecTemplateSpecAffinity,
  StatefulSetV1SpecTemplateSpecContainer,
  StatefulSetV1SpecTemplateSpecContainerEnv,
  StatefulSetV1SpecTemplateSpecContainerVolumeMount,
  StatefulSetV1SpecTemplateSpecToleration,
  StatefulSetV1SpecTemplateSpecVolume,
} from '@cdktf/provider-kubernetes/lib/stateful-set-v1';
import type { ClusterSpecDocument } from '../../model/cluster-spec';
import type { ContainerResources } from '../../model/resources';
import type { Zone } from '../../model/zone';
import type { Component, ClusterNames } from './naming';
import type { RenderContext } from './render-context';
import type { KubernetesToleration } from '../../model/target-props';
import { type KubernetesSettings, PATHS, RUNTIME_UID } from './settings';

export type PodSpec = StatefulSetV1SpecTemplateSpec;
export type Container = StatefulSetV1SpecTemplateSpecContainer;
export type EnvVar = StatefulSetV1SpecTemplateSpecContainerEnv;

/** Require nodes of the zone: a pod of a zone never runs elsewhere. */
export function pinToZone(settings: KubernetesSettings, zone: Zone, spreadAway?: { names: ClusterNames; component: Component }): StatefulSetV1SpecTemplateSpecAffinity {
  return {
    nodeAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerm: [{ matchExpressions: [{ key: settings.zoneLabel, operator: 'In', values: [zone.labelValue] }] }],
      },
    },
    ...(spreadAway ? { podAntiAffinity: avoidSameNode(spreadAway.names, spreadAway.component) } : {}),
  };
}

/** Prefer a node without another pod of the component, so one node failure takes one pod. */
export function avoidSameNode(names: ClusterNames, component: Component): NonNullable<StatefulSetV1SpecTemplateSpecAffinity['podAntiAffinity']> {
  return {
    preferredDuringSchedulingIgnoredDuringExecution: [{
      weight: 100,
      podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: [{ matchLabels: names.selector(component) }] },
    }],
  };
}

/**
 * The volumes every runtime pod mounts. `secrets`: the instances get the database's passwords;
 * gateways and orchestrators (`admin`) only the admin token.
 */
export function runtimeVolumes(names: ClusterNames, tlsSecret: string | undefined, secrets: 'instance' | 'admin'): StatefulSetV1SpecTemplateSpecVolume[] {
  return [
    { name: 'config', configMap: { name: names.config(), defaultMode: '0444' } },
    // Group-readable: files belong to root and the pod's fsGroup (the runtime's group).
    { name: 'secrets', secret: { secretName: secrets === 'instance' ? names.internalSecret() : names.adminSecret(), defaultMode: '0440' } },
    ...(tlsSecret ? [{ name: 'tls', secret: { secretName: tlsSecret, defaultMode: '0440' } }] : []),
    { name: 'etcd-tls', secret: { secretName: names.etcdTlsSecret(), defaultMode: '0440' } },
    // 0440, root's: Postgres accepts a key file owned by root that its group may read.
    { name: 'internal-tls', secret: { secretName: names.internalTlsSecret(), defaultMode: '0440' } },
    SCRATCH_VOLUME,
  ];
}

export function runtimeMounts(withTls: boolean): StatefulSetV1SpecTemplateSpecContainerVolumeMount[] {
  return [
    { name: 'config', mountPath: PATHS.config, readOnly: true },
    { name: 'secrets', mountPath: PATHS.secrets, readOnly: true },
    ...(withTls ? [{ name: 'tls', mountPath: PATHS.tls, readOnly: true }] : []),
    { name: 'etcd-tls', mountPath: PATHS.etcdTls, readOnly: true },
    { name: 'internal-tls', mountPath: PATHS.internalTls, readOnly: true },
    SCRATCH_MOUNT,
  ];
}

/**
 * The runtime reads each secret the spec names from `POLYGRES_SECRET_<NAME>` as JSON. The
 * JSON is assembled by Kubernetes from Secret keys (`$(VAR)` expansion), so no value is
 * written anywhere but in the Secrets.
 */
export function backupSecretEnv(spec: ClusterSpecDocument): EnvVar[] {
  const env: EnvVar[] = [];
  const backup = spec.backup;
  if (!backup) return env;
  const seen = new Set<string>();
  for (const repository of backup.repositories) {
    const secret = repository.credentialsSecret;
    if (typeof secret !== 'string' || seen.has(secret)) continue;
    seen.add(secret);
    const variable = secretVariable(secret);
    env.push(
      { name: `${variable}_KEY`, valueFrom: { secretKeyRef: { name: secret, key: 'key' } } },
      { name: `${variable}_KEY_SECRET`, valueFrom: { secretKeyRef: { name: secret, key: 'keySecret' } } },
      { name: variable, value: `{"key":"$(${variable}_KEY)","keySecret":"$(${variable}_KEY_SECRET)"}` },
    );
  }
  if (backup.encryption) {
    const variable = secretVariable(backup.encryption.passphraseSecret);
    env.push(
      { name: `${variable}_PASSPHRASE`, valueFrom: { secretKeyRef: { name: backup.encryption.passphraseSecret, key: 'passphrase' } } },
      { name: variable, value: `{"passphrase":"$(${variable}_PASSPHRASE)"}` },
    );
  }
  return env;
}

/** The runtime's variable name for a secret (runtime/src/deployment/backup-files.ts). */
export function secretVariable(name: string): string {
  return `POLYGRES_SECRET_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

export function containerResources(given: ContainerResources | undefined, defaults: { cpu: string; memory: string }): NonNullable<Container['resources']> {
  const memory = given?.memory ?? defaults.memory;
  return {
    requests: { cpu: given?.cpu ?? defaults.cpu, memory },
    // Memory is limited to what is requested: an over-committed node kills the biggest
    // process, and that should not be a primary that stayed within its request.
    limits: { memory, ...(given?.cpuLimit ? { cpu: given.cpuLimit } : {}) },
  };
}

/** Every Polygres container runs as the image's unprivileged postgres user. */
export function podSecurity(): NonNullable<PodSpec['securityContext']> {
  const id = String(RUNTIME_UID);
  // OnRootMismatch: the kubelet re-applies group permissions only when the volume root's are
  // wrong, instead of on every mount making the data directory 2770 (Postgres refuses it) and
  // the password file 0660 (libpq ignores it). The runtime re-asserts both at start anyway.
  return { runAsUser: id, runAsGroup: id, fsGroup: id, fsGroupChangePolicy: 'OnRootMismatch', runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } };
}

export function containerSecurity(): NonNullable<Container['securityContext']> {
  // The image is never written to: state goes to volumes, scratch files to /tmp (SCRATCH_VOLUME).
  return { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, readOnlyRootFilesystem: true };
}

/** A writable /tmp under a read-only root (Node, psql, pgBackRest and Postgres' tools use it). */
export const SCRATCH_VOLUME: StatefulSetV1SpecTemplateSpecVolume = { name: 'tmp', emptyDir: {} };
export const SCRATCH_MOUNT: StatefulSetV1SpecTemplateSpecContainerVolumeMount = { name: 'tmp', mountPath: '/tmp' };

/**
 * The runtime binds its listeners to the host name the layout gives it. A Service name is not
 * a local address, so the pod maps its own Service names to 0.0.0.0 (listen everywhere);
 * every other pod resolves them through cluster DNS.
 */
export function listenOn(hostnames: string[]): NonNullable<PodSpec['hostAliases']> {
  return [{ ip: '0.0.0.0', hostnames }];
}

/** What every Polygres pod sets: the cluster's service account (no token) and the unprivileged user. */
export function runtimePod(names: ClusterNames, settings: KubernetesSettings): Pick<PodSpec, 'serviceAccountName' | 'automountServiceAccountToken' | 'securityContext' | 'priorityClassName' | 'toleration'> {
  return {
    serviceAccountName: names.serviceAccount(),
    automountServiceAccountToken: false,
    securityContext: podSecurity(),
    ...(settings.priorityClassName ? { priorityClassName: settings.priorityClassName } : {}),
    ...(settings.tolerations.length > 0 ? { toleration: settings.tolerations.map(renderToleration) } : {}),
  };
}

/** The provider spells tolerationSeconds as a string. */
function renderToleration({ tolerationSeconds, ...rest }: KubernetesToleration): StatefulSetV1SpecTemplateSpecToleration {
  return { ...rest, ...(tolerationSeconds !== undefined ? { tolerationSeconds: String(tolerationSeconds) } : {}) };
}

/** A pod of one zone: required onto the zone's nodes, kept off nodes with a sibling. */
export function zonePod(context: RenderContext, zone: Zone, component: Component): Pick<PodSpec, 'serviceAccountName' | 'automountServiceAccountToken' | 'securityContext' | 'priorityClassName' | 'toleration' | 'affinity' | 'nodeSelector'> {
  return {
    ...runtimePod(context.names, context.settings),
    affinity: pinToZone(context.settings, zone, { names: context.names, component }),
    ...(zone.nodeSelector ? { nodeSelector: { ...zone.nodeSelector } } : {}),
  };
}

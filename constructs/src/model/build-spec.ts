/**
 * Renders a declaration as the ClusterSpec the runtime runs. Defaults are written out so the
 * document says exactly what runs; targets differ only in where TLS material comes from and
 * in the zones' Kubernetes hints.
 */
import { BackupRepositoryType, s3KeyTypeOf } from './backup-repository';
import { type ClusterDeclaration, instancesOf } from './cluster-declaration';
import { API_VERSION, type ClusterSpecDocument } from './cluster-spec';
import { GatewayAuthMethod } from './gateway-options';
import { DEFAULT_RESOURCES } from './minimums';
import { bytesOf } from './resources';

export interface SpecTargetDetails {
  /** Gateway TLS files mounted in the pods; undefined means the runtime generates them. */
  readonly tlsFiles?: { readonly certFile: string; readonly keyFile: string; readonly caFile: string };
  /** Storage class used when a zone sets none (Kubernetes). */
  readonly defaultStorageClass?: string;
  /** Write each zone's Kubernetes scheduling hints. */
  readonly kubernetesHints: boolean;
}

/** Name of the secret that holds the backup encryption passphrase. */
export function encryptionSecretName(cluster: string): string {
  return `${cluster}-backup-passphrase`;
}

const MIB = 1024 * 1024;

/**
 * On Kubernetes the Postgres container has a known memory (its request, which is also its
 * limit): shared_buffers gets a quarter of it and effective_cache_size three quarters, as the
 * usual guidance has it, instead of Postgres' 128MB whatever the pod. Parameters the user
 * sets win. The local target shares the machine with everything else: Postgres' defaults.
 */
function memorySizedParameters(declaration: ClusterDeclaration): Record<string, string> {
  if (declaration.kubernetes === undefined) return {};
  const memory = bytesOf(declaration.postgres.resources?.memory ?? DEFAULT_RESOURCES.postgres.memory);
  if (!memory) return {};
  const megabytes = (fraction: number) => `${Math.max(1, Math.floor((memory * fraction) / MIB))}MB`;
  return { shared_buffers: megabytes(0.25), effective_cache_size: megabytes(0.75) };
}

export function buildClusterSpec(declaration: ClusterDeclaration, target: SpecTargetDetails): ClusterSpecDocument {
  const { pooler, gateway, durability } = declaration;
  const tlsOn = gateway.tls ?? true;
  // Clients cross networks to reach a Kubernetes gateway: TLS is required there unless said otherwise.
  const tlsRequired = tlsOn && (gateway.tlsRequired ?? declaration.kubernetes !== undefined);
  const limits = gateway.limits ?? {};
  return {
    apiVersion: API_VERSION,
    name: declaration.name,
    postgres: { version: 15, parameters: { ...memorySizedParameters(declaration), ...(declaration.postgres.parameters ?? {}) } },
    zones: declaration.zones.map((zone) => {
      const storageClass = zone.storageClass ?? target.defaultStorageClass;
      if (!target.kubernetesHints) return { name: zone.name };
      return {
        name: zone.name,
        kubernetes: {
          zoneLabelValue: zone.labelValue,
          ...(zone.nodeSelector ? { nodeSelector: { ...zone.nodeSelector } } : {}),
          ...(storageClass ? { storageClass } : {}),
        },
      };
    }),
    instances: instancesOf(declaration),
    durability: durability.n === undefined ? { policy: durability.kind } : { policy: durability.kind, n: durability.n },
    pooler: {
      poolSize: pooler.poolSize ?? 20,
      minPoolSize: pooler.minPoolSize ?? 0,
      reservedConnections: pooler.reservedConnections ?? 5,
      queueTimeoutMs: pooler.queueTimeoutMs ?? 30_000,
      idleTimeoutMs: pooler.idleTimeoutMs ?? 600_000,
      serverLifetimeMs: pooler.serverLifetimeMs ?? 3_600_000,
      preparedStatementCacheSize: pooler.preparedStatementCacheSize ?? 500,
      pipelineDepth: pooler.pipelineDepth ?? 4,
    },
    gateway: {
      port: gateway.port ?? 5432,
      tls: !tlsOn ? { mode: 'disabled', required: false } : target.tlsFiles ? { mode: 'files', ...target.tlsFiles, required: tlsRequired } : { mode: 'generate', required: tlsRequired },
      limits: {
        loginTimeoutMs: limits.loginTimeoutMs ?? 10_000,
        maxClientConnections: limits.maxClientConnections ?? 10_000,
        maxConnectionsPerUser: limits.maxConnectionsPerUser ?? 0,
        maxPendingLogins: limits.maxPendingLogins ?? 10_000,
        maxMessageBytes: limits.maxMessageBytes ?? 64 * MIB,
        clientBufferBytes: limits.clientBufferBytes ?? 256 * MIB,
        idleInTransactionTimeoutMs: limits.idleInTransactionTimeoutMs ?? 900_000,
        slowClientTimeoutMs: limits.slowClientTimeoutMs ?? 60_000,
      },
      auth: { method: gateway.auth ?? GatewayAuthMethod.SCRAM_SHA_256 },
      replicaReads: { maxLagBytes: gateway.replicaReadMaxLagBytes ?? 16 * 1024 * 1024 },
      failoverBuffer: { windowMs: gateway.failoverBufferWindowMs ?? 10_000, maxQueued: gateway.failoverBufferMaxQueued ?? 10_000 },
    },
    shards: [{ name: '0-inf' }],
    ...(declaration.backup ? { backup: buildBackup(declaration) } : {}),
  };
}

function buildBackup(declaration: ClusterDeclaration): NonNullable<ClusterSpecDocument['backup']> {
  const backup = declaration.backup!;
  const { schedule } = backup;
  return {
    repositories: backup.repositories.map((repository): Record<string, string | boolean> => {
      if (repository.type === BackupRepositoryType.POSIX) return { type: 'posix', path: repository.path ?? '' };
      const s3 = repository.s3Props!;
      return {
        type: 's3',
        bucket: s3.bucket,
        region: s3.region,
        endpoint: s3.endpoint ?? 's3.amazonaws.com',
        uriStyle: s3.pathStyle ? 'path' : 'host',
        path: s3.path ?? '/polygres',
        ...(s3.credentialsSecret !== undefined ? { credentialsSecret: s3.credentialsSecret } : {}),
        keyType: s3KeyTypeOf(s3),
        verifyTls: s3.verifyTls ?? true,
      };
    }),
    ...(backup.encrypted ? { encryption: { passphraseSecret: encryptionSecretName(declaration.name) } } : {}),
    retention: { full: backup.fullBackups, ...(backup.diffBackups !== undefined ? { diff: backup.diffBackups } : {}) },
    compression: { type: backup.compression },
    schedule: { full: schedule.full, ...(schedule.diff ? { diff: schedule.diff } : {}), ...(schedule.incr ? { incr: schedule.incr } : {}) },
    archiveWal: backup.archiveWal,
  };
}

/**
 * ClusterSpec v1: the one contract between the constructs, the runtime, the provider and the
 * Kubernetes renderer (ARCHITECTURE.md, the model). The shape lives here once; `validateSpec` adds the rules
 * that span fields (zones referenced by instances, policies against instances).
 */
import { z } from 'zod';
import { checkCronSchedule } from '../util/cron-schedule';

export const API_VERSION = 'polygres.dev/v1';

/** Lower-case DNS label: usable as a Kubernetes name, a file name and a Postgres application_name. */
const dnsLabel = z
  .string()
  .min(1)
  .max(40)
  .regex(/^[a-z]([a-z0-9-]*[a-z0-9])?$/, {
    message: 'must be lower-case letters, digits and dashes, start with a letter and not end with a dash',
  });

const port = z.number().int().min(1, { message: 'must be between 1 and 65535' }).max(65535, {
  message: 'must be between 1 and 65535',
});

const milliseconds = z.number().int().min(0);

export const postgresSchema = z
  .object({
    version: z.literal(15).default(15).describe('Postgres major version; 15 is the one supported today.'),
    parameters: z
      .record(z.string(), z.union([z.string(), z.number(), z.boolean()]))
      .default({})
      .describe('Extra postgresql.conf parameters. Settings that protect replication and durability are refused.'),
  })
  .strict();

export const kubernetesZoneSchema = z
  .object({
    zoneLabelValue: z.string().optional().describe('Value of the zone label nodes carry; defaults to the zone name.'),
    nodeSelector: z.record(z.string(), z.string()).optional(),
    storageClass: z.string().optional(),
  })
  .strict();

export const zoneSchema = z
  .object({
    name: dnsLabel.describe('Zone name, unique in the cluster.'),
    kubernetes: kubernetesZoneSchema.optional(),
  })
  .strict();

export const instanceSchema = z
  .object({
    name: dnsLabel.describe('Instance name, unique in the cluster; Postgres application_name of the standby.'),
    zone: z.string().describe('Name of a zone declared in zones[].'),
  })
  .strict();

export const durabilitySchema = z.discriminatedUnion('policy', [
  z.object({ policy: z.literal('atLeast'), n: z.number().int().min(1) }).strict(),
  z.object({ policy: z.literal('multiZone'), n: z.number().int().min(2) }).strict(),
  z.object({ policy: z.literal('surviveZoneFailure') }).strict(),
  z.object({ policy: z.literal('none') }).strict(),
]);

/** The default of pooler.pipelineDepth, chosen by measurement: bench/results/pipeline-depth.md. */
export const PIPELINE_DEPTH = 4;

export const poolerSchema = z
  .object({
    poolSize: z.number().int().min(1).default(20).describe('Server connections per (user, database) pool.'),
    minPoolSize: z.number().int().min(0).default(0),
    reservedConnections: z.number().int().min(0).default(5).describe('Postgres connections kept for the orchestrator and admins.'),
    queueTimeoutMs: milliseconds.default(30_000).describe('How long a session waits for a server connection.'),
    idleTimeoutMs: milliseconds.default(600_000),
    serverLifetimeMs: milliseconds.default(3_600_000),
    preparedStatementCacheSize: z.number().int().min(0).default(500),
    pipelineDepth: z
      .number()
      .int()
      .min(0)
      .max(16)
      .default(PIPELINE_DEPTH)
      .describe("With every server connection busy, how many sessions' single statements may be sent behind the one running on a connection; 0: none."),
  })
  .strict();

const MIB = 1024 * 1024;

/**
 * What one client may cost a gateway (and a pooler, for clients that reach it directly): the
 * edge's limits. Every one has a default that protects a process on its own.
 */
export const clientLimitsSchema = z
  .object({
    loginTimeoutMs: milliseconds.min(1).default(10_000).describe('A connection must finish logging in (TLS, startup, SCRAM) within this, like authentication_timeout.'),
    maxClientConnections: z.number().int().min(1).default(10_000).describe('Logged-in client sessions one gateway (or pooler) serves; past it, logins are refused with 53300.'),
    maxConnectionsPerUser: z.number().int().min(0).default(0).describe('Logged-in sessions of one user per gateway (or pooler); 0: no cap beyond maxClientConnections.'),
    maxPendingLogins: z.number().int().min(1).default(10_000).describe('Connections still logging in; when a new one comes past it, the oldest that has sent nothing (else the oldest) is closed.'),
    maxMessageBytes: z.number().int().min(64 * 1024).default(64 * MIB).describe('Largest message a logged-in client may send.'),
    clientBufferBytes: z.number().int().min(MIB).default(256 * MIB).describe('Memory all sessions together may hold for client messages not yet sent on; past it, clients are read no further until it frees.'),
    idleInTransactionTimeoutMs: milliseconds.default(900_000).describe('A session idle inside a transaction this long is closed (its transaction rolled back); 0: never.'),
    slowClientTimeoutMs: milliseconds.min(1).default(60_000).describe('A client that leaves a message half sent, or its results unread, this long is disconnected.'),
  })
  .strict()
  .refine((limits) => limits.maxMessageBytes <= limits.clientBufferBytes, {
    message: 'maxMessageBytes must not exceed clientBufferBytes (one message must fit in the buffer budget)',
    path: ['maxMessageBytes'],
    params: { fix: 'lower maxMessageBytes or raise clientBufferBytes' },
  });

export const gatewaySchema = z
  .object({
    port: port.default(5432).describe('Client port of the gateway on Kubernetes; the local target derives ports from --base-port.'),
    tls: z
      .object({
        mode: z.enum(['generate', 'files', 'disabled']).default('generate'),
        certFile: z.string().optional(),
        keyFile: z.string().optional(),
        caFile: z.string().optional(),
        required: z.boolean().default(false).describe('Refuse clients that do not ask for TLS (sslmode=disable), with a message that says so.'),
      })
      .strict()
      .default({ mode: 'generate', required: false }),
    limits: clientLimitsSchema.default(() => clientLimitsSchema.parse({})),
    auth: z
      .object({
        method: z.enum(['scram-sha-256', 'trust']).default('scram-sha-256').describe('trust is for local development only.'),
      })
      .strict()
      .default({ method: 'scram-sha-256' }),
    replicaReads: z
      .object({ maxLagBytes: z.number().int().min(0).default(16 * 1024 * 1024) })
      .strict()
      .default({ maxLagBytes: 16 * 1024 * 1024 }),
    failoverBuffer: z
      .object({ windowMs: milliseconds.default(10_000), maxQueued: z.number().int().min(0).default(10_000) })
      .strict()
      .default({ windowMs: 10_000, maxQueued: 10_000 }),
  })
  .strict();

/** A five-field cron schedule, checked here so a typo fails at synth, not at 1 a.m. */
const cronSchedule = z.string().superRefine((text, context) => {
  try {
    checkCronSchedule(text);
  } catch (error) {
    context.addIssue({ code: 'custom', message: (error as Error).message });
  }
});

/** Where pgBackRest's S3 credentials come from (its repo-s3-key-type). */
export const s3KeyTypeSchema = z.enum(['shared', 'auto', 'web-id']);

export const backupRepositorySchema = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('posix'),
      path: z
        .string()
        .min(1)
        .describe("Directory of the repository, reachable from every instance that backs up or restores; a relative path is inside the cluster's own directory (the local target's state directory)."),
    })
    .strict(),
  z
    .object({
      type: z.literal('s3'),
      bucket: z.string().min(3),
      region: z.string().min(1),
      endpoint: z.string().min(1).default('s3.amazonaws.com'),
      uriStyle: z.enum(['host', 'path']).default('host'),
      path: z.string().startsWith('/').default('/polygres'),
      credentialsSecret: z
        .string()
        .min(1)
        .optional()
        .describe('Name of the secret holding "key" and "keySecret" (never the values), for keyType "shared". Without it, pgBackRest uses the identity of the machine or pod it runs on.'),
      keyType: s3KeyTypeSchema
        .optional()
        .describe(
          'How pgBackRest gets its credentials: "shared" reads credentialsSecret; "web-id" assumes the role in AWS_ROLE_ARN with the token in AWS_WEB_IDENTITY_TOKEN_FILE (IRSA sets both in a pod whose service account names the role); "auto" asks the instance metadata service (an instance profile). Default: "shared" with a credentialsSecret, else "auto".',
        ),
      verifyTls: z.boolean().default(true),
      caFile: z
        .string()
        .startsWith('/', { message: 'must be an absolute path' })
        .optional()
        .describe('PEM file of the certificate authorities that sign the endpoint\'s certificate (an S3-compatible store with a private CA), on every instance; default: the system\'s.'),
    })
    .strict(),
]);

export const backupSchema = z
  .object({
    repositories: z.array(backupRepositorySchema).min(1, { message: 'declare at least one repository' }).max(4, { message: 'pgBackRest supports up to 4 repositories' }),
    encryption: z
      .object({ passphraseSecret: z.string().min(1).describe('Name of the secret holding "passphrase" (aes-256-cbc).') })
      .strict()
      .optional(),
    retention: z
      .object({ full: z.number().int().min(1).default(2), diff: z.number().int().min(1).optional() })
      .strict()
      .default({ full: 2 }),
    compression: z
      .object({ type: z.enum(['zst', 'gz', 'lz4', 'bz2', 'none']).default('zst'), level: z.number().int().min(0).max(19).optional() })
      .strict()
      .default({ type: 'zst' }),
    schedule: z
      .object({ full: cronSchedule.default('0 1 * * 0'), diff: cronSchedule.optional(), incr: cronSchedule.optional() })
      .strict()
      .default({ full: '0 1 * * 0' }),
    archiveWal: z.boolean().default(true),
  })
  .strict();

export const shardSchema = z
  .object({ name: z.literal('0-inf', { message: "only the single shard '0-inf' exists in v1" }) })
  .strict();

export const clusterSpecSchema = z
  .object({
    apiVersion: z.literal(API_VERSION, { message: `must be "${API_VERSION}"` }),
    name: dnsLabel.describe('Cluster name.'),
    postgres: postgresSchema.default({ version: 15, parameters: {} }),
    zones: z.array(zoneSchema).min(1, { message: 'declare at least one zone' }),
    instances: z.array(instanceSchema).min(1, { message: 'declare at least one instance' }),
    durability: durabilitySchema,
    pooler: poolerSchema.default(() => poolerSchema.parse({})),
    gateway: gatewaySchema.default(() => gatewaySchema.parse({})),
    shards: z.array(shardSchema).length(1, { message: "exactly one shard ('0-inf') in v1" }).default([{ name: '0-inf' }]),
    backup: backupSchema.optional(),
  })
  .strict();

/** A ClusterSpec as written by a user: defaults may be omitted. */
export type ClusterSpecInput = z.input<typeof clusterSpecSchema>;
/** A validated ClusterSpec with every default filled in. */
export type ClusterSpec = z.output<typeof clusterSpecSchema>;
export type InstanceSpec = ClusterSpec['instances'][number];
export type ZoneSpec = ClusterSpec['zones'][number];
export type BackupSpec = z.output<typeof backupSchema>;
export type BackupRepositorySpec = BackupSpec['repositories'][number];
export type S3RepositorySpec = Extract<BackupRepositorySpec, { type: 's3' }>;
export type S3KeyType = z.output<typeof s3KeyTypeSchema>;

/**
 * The key type an S3 repository runs with: the one it names, else "shared" when it names a
 * credentials secret and the machine's or pod's own identity ("auto") when it does not.
 */
export function s3KeyType(repository: Pick<S3RepositorySpec, 'keyType' | 'credentialsSecret'>): S3KeyType {
  return repository.keyType ?? (repository.credentialsSecret ? 'shared' : 'auto');
}
export type ClientLimitsSpec = z.output<typeof clientLimitsSchema>;

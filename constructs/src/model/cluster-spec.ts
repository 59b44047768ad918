/**
 * The ClusterSpec v1 document (runtime/src/spec/schema.ts) as the constructs write it. The
 * shape is restated for jsii; test/runtime-contract.test.ts validates rendered documents
 * with the runtime's own validator.
 */
export const API_VERSION = 'polygres.dev/v1';

export interface ClusterSpecDocument {
  apiVersion: string;
  name: string;
  postgres: { version: number; parameters: Record<string, string> };
  zones: { name: string; kubernetes?: { zoneLabelValue?: string; nodeSelector?: Record<string, string>; storageClass?: string } }[];
  instances: { name: string; zone: string }[];
  durability: { policy: string; n?: number };
  pooler: Record<string, number>;
  gateway: {
    port: number;
    tls: { mode: 'generate' | 'files' | 'disabled'; certFile?: string; keyFile?: string; caFile?: string; required: boolean };
    limits: {
      loginTimeoutMs: number;
      maxClientConnections: number;
      maxConnectionsPerUser: number;
      maxPendingLogins: number;
      maxMessageBytes: number;
      clientBufferBytes: number;
      idleInTransactionTimeoutMs: number;
      slowClientTimeoutMs: number;
    };
    auth: { method: string };
    replicaReads: { maxLagBytes: number };
    failoverBuffer: { windowMs: number; maxQueued: number };
  };
  shards: { name: string }[];
  backup?: {
    repositories: Record<string, string | boolean>[];
    encryption?: { passphraseSecret: string };
    retention: { full: number; diff?: number };
    compression: { type: string };
    schedule: { full: string; diff?: string; incr?: string };
    archiveWal: boolean;
  };
}

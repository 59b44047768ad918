import type { ContainerResources } from './resources';

/** How clients authenticate at the gateways. */
export enum GatewayAuthMethod {
  /** SCRAM-SHA-256 against the roles in Postgres. */
  SCRAM_SHA_256 = 'scram-sha-256',
  /** No password: local development only. */
  TRUST = 'trust',
}

/** The zone entry points (the ClusterSpec's `gateway`, and their Kubernetes shape). */
export interface GatewayOptions {
  /**
   * Client port of the gateways on Kubernetes (the local target derives ports from its base port).
   * @default 5432
   */
  readonly port?: number;
  /**
   * Gateway pods per zone (Kubernetes).
   * @default 2
   */
  readonly replicasPerZone?: number;
  /**
   * Client authentication.
   * @default GatewayAuthMethod.SCRAM_SHA_256
   */
  readonly auth?: GatewayAuthMethod;
  /**
   * Serve TLS. On Kubernetes the certificate comes from `Target.kubernetes({ tlsSecretName })`
   * or is generated; locally it is generated under the state directory.
   * @default true
   */
  readonly tls?: boolean;
  /**
   * Most replication lag, in bytes, a replica may have to serve reads.
   * @default 16777216 (16 MiB)
   */
  readonly replicaReadMaxLagBytes?: number;
  /**
   * How long statements are held during a failover or switchover, in milliseconds.
   * @default 10000
   */
  readonly failoverBufferWindowMs?: number;
  /**
   * How many statements may be held during a failover.
   * @default 10000
   */
  readonly failoverBufferMaxQueued?: number;
  /**
   * Resources of each gateway pod (Kubernetes).
   * @default cpu 250m, memory 256Mi
   */
  readonly resources?: ContainerResources;
}

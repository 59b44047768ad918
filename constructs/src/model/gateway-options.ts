import type { ContainerResources } from './resources';

/** How clients authenticate at the gateways. */
export enum GatewayAuthMethod {
  /** SCRAM-SHA-256 against the roles in Postgres. */
  SCRAM_SHA_256 = 'scram-sha-256',
  /** No password: local development only. */
  TRUST = 'trust',
}

/**
 * What one client may cost a gateway (and a pooler, for clients that reach it directly): the
 * edge's limits. Every one has a default that protects a gateway on its own.
 */
export interface GatewayLimits {
  /**
   * A connection must finish logging in (TLS, startup, SCRAM) within this, in milliseconds.
   * @default 10000
   */
  readonly loginTimeoutMs?: number;
  /**
   * Logged-in client sessions one gateway serves; past it, logins are refused with 53300.
   * @default 10000
   */
  readonly maxClientConnections?: number;
  /**
   * Logged-in sessions of one user per gateway; 0 means no cap beyond maxClientConnections.
   * @default 0
   */
  readonly maxConnectionsPerUser?: number;
  /**
   * Connections still logging in; when a new one comes past it, the oldest that has sent
   * nothing (else the oldest) is closed.
   * @default 10000
   */
  readonly maxPendingLogins?: number;
  /**
   * Largest message a logged-in client may send, in bytes.
   * @default 67108864 (64 MiB)
   */
  readonly maxMessageBytes?: number;
  /**
   * Memory all sessions of a gateway together may hold for client messages not yet sent on, in
   * bytes; past it, clients are read no further until it frees.
   * @default 268435456 (256 MiB)
   */
  readonly clientBufferBytes?: number;
  /**
   * A session idle inside a transaction this long is closed and its transaction rolled back,
   * in milliseconds; 0 means never.
   * @default 900000 (15 minutes)
   */
  readonly idleInTransactionTimeoutMs?: number;
  /**
   * A client that leaves a message half sent, or its results unread, this long is
   * disconnected, in milliseconds.
   * @default 60000
   */
  readonly slowClientTimeoutMs?: number;
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
   * Refuse clients that do not use TLS (sslmode=disable or allow), with a message that says so.
   * @default true on Kubernetes, false on the local target
   */
  readonly tlsRequired?: boolean;
  /**
   * The edge's limits: login timeout, connection caps, memory budget, timeouts.
   * @default the defaults of each GatewayLimits property
   */
  readonly limits?: GatewayLimits;
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

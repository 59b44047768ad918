/** Connection pooling beside every Postgres (the ClusterSpec's `pooler`). */
export interface PoolerOptions {
  /**
   * Server connections per (user, database) pool.
   * @default 20
   */
  readonly poolSize?: number;
  /**
   * Server connections kept open per pool even when idle.
   * @default 0
   */
  readonly minPoolSize?: number;
  /**
   * Postgres connections kept for the orchestrator and administrators.
   * @default 5
   */
  readonly reservedConnections?: number;
  /**
   * How long a session waits for a server connection, in milliseconds.
   * @default 30000
   */
  readonly queueTimeoutMs?: number;
  /**
   * How long an idle server connection is kept, in milliseconds.
   * @default 600000
   */
  readonly idleTimeoutMs?: number;
  /**
   * Maximum lifetime of a server connection, in milliseconds.
   * @default 3600000
   */
  readonly serverLifetimeMs?: number;
  /**
   * Prepared statements kept per server connection.
   * @default 500
   */
  readonly preparedStatementCacheSize?: number;
  /**
   * With every server connection of a pool busy, how many sessions' single statements may be
   * sent behind the one running on a connection (answered back to back); 0 turns this off.
   * @default 4
   */
  readonly pipelineDepth?: number;
}

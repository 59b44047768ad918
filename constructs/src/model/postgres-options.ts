import type { ContainerResources } from './resources';

/** Postgres itself. */
export interface PostgresOptions {
  /**
   * Extra postgresql.conf parameters. Settings that protect replication and durability
   * (`synchronous_commit`, `fsync`, `wal_level`, ...) are refused at synth.
   * @default no extra parameters
   */
  readonly parameters?: { [name: string]: string };
  /**
   * Resources of the container running the pooler and its Postgres (Kubernetes).
   * @default cpu 500m, memory 1Gi
   */
  readonly resources?: ContainerResources;
  /**
   * Size of each instance's data volume (Kubernetes).
   * @default '10Gi'
   */
  readonly storageSize?: string;
}

/**
 * SQL as the superuser through the cluster's gateways (the first that answers), for roles
 * and databases. `pg` loads on first use, like the runtime's modules.
 */
import type { Client } from 'pg';
import type { LocalCluster } from './local-cluster';

/* eslint-disable-next-line @typescript-eslint/no-require-imports */
const loadPg = (): typeof import('pg') => require('pg');

export async function withSuperuser<T>(cluster: LocalCluster, run: (client: Client) => Promise<T>): Promise<T> {
  const failures: string[] = [];
  for (const gateway of cluster.layout.gateways) {
    const client = new (loadPg().Client)({ host: gateway.host, port: gateway.port, user: 'postgres', password: cluster.superuserPassword, database: 'postgres', connectionTimeoutMillis: 10_000 });
    try {
      await client.connect();
    } catch (error) {
      failures.push(`gateway ${gateway.zone} (${gateway.host}:${gateway.port}): ${(error as Error).message}`);
      await client.end().catch(() => undefined);
      continue;
    }
    try {
      return await run(client);
    } finally {
      await client.end().catch(() => undefined);
    }
  }
  throw new Error(`no gateway of cluster ${cluster.layout.cluster} accepted a connection:\n  ${failures.join('\n  ')}`);
}

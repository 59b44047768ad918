/** A superuser session on a server that accepts writes (out of recovery), for restore's steps. */
import { Client } from 'pg';
import { SUPERUSER } from '../deployment/secrets';

/** Connected and out of recovery: the client; not running, not reachable, or still a standby: undefined. */
export async function connectIfWritable(server: { readonly host: string; readonly port: number }, password: string): Promise<Client | undefined> {
  const client = new Client({ host: server.host, port: server.port, user: SUPERUSER, password, database: 'postgres', connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    const [row] = (await client.query<{ recovering: boolean }>('SELECT pg_is_in_recovery() AS recovering')).rows;
    if (row && !row.recovering) return client;
  } catch {
    // Not running, not reachable, or not accepting connections yet (replaying to a consistent state).
  }
  await client.end().catch(() => undefined);
  return undefined;
}

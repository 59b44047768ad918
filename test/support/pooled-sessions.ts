/**
 * For tests that compare a session's answers directly against Postgres and through gateways
 * whose pool other sessions keep busy (so every transaction may be a hand-off): psql runs a
 * script as pg_regress runs it, and other sessions loop on a statement meanwhile.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { SUPERUSER } from '../../runtime/src/deployment/secrets';
import type { LocalCluster } from './local-cluster';

const run = promisify(execFile);

/** psql as pg_regress runs it (echo every statement, no psqlrc): what it printed, the file's path left out. */
export async function psqlScript(cluster: LocalCluster, port: number, file: string, env: Record<string, string> = {}): Promise<string> {
  const { stdout, stderr } = await run('psql', ['-X', '-a', '-q', '-h', '127.0.0.1', '-p', String(port), '-U', SUPERUSER, '-d', 'postgres', '-f', file], {
    env: { ...process.env, PGPASSWORD: cluster.secrets.superuserPassword, PGSSLMODE: 'prefer', ...env },
  });
  return `${stdout}${stderr}`.replaceAll(file, 'script.sql');
}

/** `count` other sessions that run `sql` over and over on `port`; the returned function stops them. */
export function busySessions(cluster: LocalCluster, port: number, sql: string, count: number): () => Promise<void> {
  let running = true;
  const loops = Array.from({ length: count }, async () => {
    const client = await cluster.connect(port);
    while (running) await client.query(sql);
    await client.end();
  });
  return async () => {
    running = false;
    await Promise.all(loops);
  };
}

/**
 * Runs `check` through the first two zones' gateways (one hop and two hops from a primary in
 * the first zone), each while busy sessions from `startNoise` share its pool.
 */
export async function throughBusyGateways(cluster: LocalCluster, startNoise: (port: number) => () => Promise<void>, check: (port: number) => Promise<void>): Promise<void> {
  for (const gateway of cluster.layout.gateways.slice(0, 2)) {
    const stop = startNoise(gateway.port);
    try {
      await check(gateway.port);
    } finally {
      await stop();
    }
  }
}

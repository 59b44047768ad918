/**
 * The setup the data-path benches share: a default local cluster in a fresh temporary
 * directory, pgbench's tables (scale 10) on its primary, the libpq environment that reaches it
 * without TLS, and PgBouncer (transaction mode, pool size 20) on the primary's own socket.
 */
import { execFile, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { InstanceLayout } from '../runtime/src/deployment/layout';
import { type LocalCluster, startLocalCluster } from '../test/support/local-cluster';
import { startPgBouncer, superuserVerifier } from '../test/support/pgbouncer';

export const PGBENCH = '/usr/lib/postgresql/15/bin/pgbench';

export interface BenchCluster {
  readonly root: string;
  readonly cluster: LocalCluster;
  readonly primary: InstanceLayout;
  /** libpq variables for pgbench: the superuser, its password, no TLS. */
  readonly env: NodeJS.ProcessEnv;
  readonly bouncer: { readonly port: number; readonly process: ChildProcess };
  /** Stops PgBouncer and the cluster, and removes the directory. */
  stop(): Promise<void>;
}

export async function startBenchCluster(name: string): Promise<BenchCluster> {
  const root = mkdtempSync(join(tmpdir(), `polygres-${name}-`));
  chmodSync(root, 0o755);
  const cluster = await startLocalCluster(root);
  const stop = async () => {
    await cluster.stop();
    rmSync(root, { recursive: true, force: true });
  };
  try {
    const status = await cluster.statusNow();
    const primary = cluster.layout.instances.find((instance) => instance.name === status.primary);
    if (!primary) throw new Error(`no primary in the cluster status: ${JSON.stringify(status.instances)}`);
    const env = { ...process.env, PGPASSWORD: cluster.secrets.superuserPassword, PGUSER: 'postgres', PGHOST: '127.0.0.1', PGDATABASE: 'postgres', PGSSLMODE: 'disable' };
    await promisify(execFile)(PGBENCH, ['-i', '-s', '10', '-p', String(primary.port), '-q'], { env });
    const bouncer = await startPgBouncer(join(root, 'pgbouncer'), { server: `host=${primary.socketDir} port=${primary.port}`, secret: await superuserVerifier(cluster, primary.port) });
    return {
      root,
      cluster,
      primary,
      env,
      bouncer,
      stop: async () => {
        bouncer.process.kill('SIGTERM');
        await stop();
      },
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

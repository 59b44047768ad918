/**
 * A single real Postgres 15 server for tests, on a claimed port under the test root, run as
 * the unprivileged user when the tests run as root. Stopped by its pid on `stop()` and by the
 * suite teardown if a test forgot.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { postgresOsUser } from '../../runtime/src/deployment/os-user';
import { SUPERUSER } from '../../runtime/src/deployment/secrets';
import { PostgresControl } from '../../runtime/src/postgres/postgres-control';
import { claimPortBlock } from './ports';

export interface PostgresServer {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  /** The private socket directory (trusted, like the pooler's). */
  readonly socketDir: string;
  readonly control: PostgresControl;
  connect(): Promise<Client>;
  stop(): Promise<void>;
}

export async function startPostgres(root: string, parameters: Record<string, string | number | boolean> = {}): Promise<PostgresServer> {
  mkdirSync(root, { recursive: true, mode: 0o755 });
  const dir = mkdtempSync(join(root, 'pg-'));
  chmodSync(dir, 0o755);
  const instanceDir = join(dir, 'instance');
  const osUser = postgresOsUser();
  const socketDir = join(dir, 'socket');
  const control = new PostgresControl({ instanceDir, socketDir, hbaNetworks: ['127.0.0.1/32'], ...(osUser ? { osUser } : {}) });
  const block = await claimPortBlock();
  const password = 'test-password';
  const port = block.base;
  try {
    control.prepareInstanceDir({ replication: 'replication-password', superuser: password });
    await control.initdb(password);
    control.configure({ instanceName: 'test', listenAddress: '127.0.0.1', port, socketDir, maxWalSenders: 4, parameters });
    await control.start();
  } catch (error) {
    block.release();
    throw error;
  }
  return {
    host: '127.0.0.1',
    port,
    user: SUPERUSER,
    password,
    socketDir,
    control,
    async connect() {
      const client = new Client({ host: '127.0.0.1', port, user: SUPERUSER, password, database: 'postgres' });
      await client.connect();
      return client;
    },
    async stop() {
      await control.stop('fast');
      block.release();
    },
  };
}

/** Suite teardown: stops a Postgres left running in a directory made by startPostgres. */
export async function stopLoosePostgres(dir: string): Promise<void> {
  const instanceDir = join(dir, 'instance');
  if (!existsSync(join(instanceDir, 'pgdata', 'postmaster.pid'))) return;
  const osUser = postgresOsUser();
  await new PostgresControl({ instanceDir, socketDir: join(dir, 'socket'), hbaNetworks: [], ...(osUser ? { osUser } : {}) }).stop('immediate').catch(() => undefined);
}

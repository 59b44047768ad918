/**
 * Debian's PgBouncer (1.18) in front of a Postgres, as the reference pooler the benchmarks and
 * the compatibility measurements compare Polygres with.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chownSync, copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { postgresOsUser } from '../../runtime/src/deployment/os-user';
import { isListening, sleep } from '../../runtime/src/util/net';
import type { LocalCluster } from './local-cluster';
import { claimPortBlock } from './ports';

export interface PgBouncerOptions {
  /** libpq host and port of the server: a socket directory or 127.0.0.1. */
  readonly server: string;
  /** The `postgres` user's secret for clients: a SCRAM verifier, or the password itself. */
  readonly secret: string;
  readonly poolMode?: 'session' | 'transaction' | 'statement';
  readonly poolSize?: number;
  /** Startup parameters to accept and drop (PgBouncer 1.18 refuses any it does not track). */
  readonly ignoreStartupParameters?: readonly string[];
  /** A certificate and key (PEM) for clients that ask for TLS; the others go on without. */
  readonly clientTls?: { readonly certFile: string; readonly keyFile: string };
}

/**
 * PgBouncer in `dir` (transaction mode, pool size 20 unless told), on a claimed port, serving
 * every database of `server` under its own name, authenticating `postgres` with `secret`.
 */
export async function startPgBouncer(dir: string, options: PgBouncerOptions): Promise<{ process: ChildProcess; port: number }> {
  mkdirSync(dir, { recursive: true });
  const block = await claimPortBlock();
  const port = block.base;
  writeFileSync(join(dir, 'users.txt'), `"postgres" "${options.secret}"\n`, { mode: 0o600 });
  // Copies PgBouncer's own account may read (the originals belong to the cluster's).
  const tlsFiles = options.clientTls ? ['client.pem', 'client-key.pem'] : [];
  if (options.clientTls) {
    copyFileSync(options.clientTls.certFile, join(dir, 'client.pem'));
    copyFileSync(options.clientTls.keyFile, join(dir, 'client-key.pem'));
  }
  writeFileSync(
    join(dir, 'pgbouncer.ini'),
    [
      '[databases]',
      `* = ${options.server}`,
      '[pgbouncer]',
      `listen_addr = 127.0.0.1`,
      `listen_port = ${port}`,
      `unix_socket_dir =`,
      'auth_type = scram-sha-256',
      `auth_file = ${join(dir, 'users.txt')}`,
      `pool_mode = ${options.poolMode ?? 'transaction'}`,
      `default_pool_size = ${options.poolSize ?? 20}`,
      'max_client_conn = 2000',
      ...(options.ignoreStartupParameters ? [`ignore_startup_parameters = ${options.ignoreStartupParameters.join(', ')}`] : []),
      ...(options.clientTls ? ['client_tls_sslmode = allow', `client_tls_cert_file = ${join(dir, 'client.pem')}`, `client_tls_key_file = ${join(dir, 'client-key.pem')}`] : []),
      `logfile = ${join(dir, 'pgbouncer.log')}`,
      `pidfile = ${join(dir, 'pgbouncer.pid')}`,
      '',
    ].join('\n'),
  );
  // PgBouncer refuses to run as root; it runs as the Postgres OS user, who may use the socket.
  const user = postgresOsUser();
  if (user) for (const file of ['', 'users.txt', 'pgbouncer.ini', ...tlsFiles]) chownSync(join(dir, file), user.uid, user.gid);
  const child = spawn('/usr/sbin/pgbouncer', [join(dir, 'pgbouncer.ini')], { stdio: 'ignore', ...(user ? { uid: user.uid, gid: user.gid } : {}) });
  child.on('exit', () => block.release());
  for (let i = 0; i < 100 && !(await isListening('127.0.0.1', port)); i++) await sleep(100);
  if (!(await isListening('127.0.0.1', port))) throw new Error(`PgBouncer in ${dir} did not listen on ${port}: see ${join(dir, 'pgbouncer.log')}`);
  return { process: child, port };
}

/** The superuser's SCRAM verifier, for PgBouncer's auth file. */
export async function superuserVerifier(cluster: LocalCluster, port: number): Promise<string> {
  const admin = new Client({ host: '127.0.0.1', port, user: 'postgres', password: cluster.secrets.superuserPassword, database: 'postgres' });
  await admin.connect();
  try {
    return (await admin.query("SELECT rolpassword FROM pg_authid WHERE rolname = 'postgres'")).rows[0].rolpassword as string;
  } finally {
    await admin.end();
  }
}

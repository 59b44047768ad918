/**
 * What the data-path benches share: a default local cluster in a fresh temporary directory,
 * pgbench's tables (scale 10) on its primary, the libpq environment that reaches it without
 * TLS, PgBouncer (transaction mode, pool size 20) on the primary's own socket, and one pgbench
 * run measured with the CPU the proxies on its path spent.
 */
import { execFile, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { type InstanceLayout, serviceDirOf } from '../runtime/src/deployment/layout';
import { archiveSourceWal } from '../runtime/src/local/archive-source-wal';
import { tlsFilesFor } from '../runtime/src/deployment/tls-material';
import { loadSpecFile } from '../runtime/src/spec/load';
import { waitFor } from '../runtime/src/util/net';
import { cpuTimesOf } from '../runtime/src/util/process-tree';
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
  /** PgBouncer serves TLS to clients that ask, with the gateways' certificate (bouncerTls, and the spec generates one). */
  readonly bouncerTls: boolean;
  /** How the kernel shared the CPU during the run, for the report (see fairScheduling). */
  readonly scheduling: string;
  /** Stops PgBouncer and the cluster, and removes the directory. */
  stop(): Promise<void>;
}

/** `bouncerTls`: PgBouncer also serves TLS, with the gateways' own certificate, so both sides of a TLS row do the same handshake. */
export async function startBenchCluster(name: string, options: { readonly bouncerTls?: boolean } = {}): Promise<BenchCluster> {
  const scheduling = fairScheduling();
  const root = mkdtempSync(join(tmpdir(), `polygres-${name}-`));
  chmodSync(root, 0o755);
  const cluster = await startLocalCluster(root);
  const stop = async () => {
    await cluster.stop();
    rmSync(root, { recursive: true, force: true });
    scheduling.restore();
  };
  try {
    const status = await cluster.statusNow();
    const primary = cluster.layout.instances.find((instance) => instance.name === status.primary);
    if (!primary) throw new Error(`no primary in the cluster status: ${JSON.stringify(status.instances)}`);
    const env = { ...process.env, PGPASSWORD: cluster.secrets.superuserPassword, PGUSER: 'postgres', PGHOST: '127.0.0.1', PGDATABASE: 'postgres', PGSSLMODE: 'disable' };
    await promisify(execFile)(PGBENCH, ['-i', '-s', '10', '-p', String(primary.port), '-q'], { env });
    await settle(cluster, primary);
    const gatewayTls = options.bouncerTls ? tlsFilesFor(loadSpecFile(cluster.layout.specFile).spec, serviceDirOf(cluster.layout)) : undefined;
    const bouncer = await startPgBouncer(join(root, 'pgbouncer'), {
      server: `host=${primary.socketDir} port=${primary.port}`,
      secret: await superuserVerifier(cluster, primary.port),
      ...(gatewayTls ? { clientTls: { certFile: gatewayTls.certFile, keyFile: gatewayTls.keyFile } } : {}),
    });
    return {
      root,
      cluster,
      primary,
      env,
      bouncer,
      bouncerTls: gatewayTls !== undefined,
      scheduling: scheduling.description,
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

/**
 * pgbench -i writes its tables' WAL (some 150 MB at scale 10): until that WAL is archived, the
 * standbys have replayed it and a checkpoint has written it out, the first row shares the two
 * cores with pgBackRest, the standbys' startup processes and the checkpointer, and measures a
 * machine the later rows never see. So the bench starts only when the cluster is quiet.
 */
async function settle(cluster: LocalCluster, primary: InstanceLayout): Promise<void> {
  await archiveSourceWal(cluster.layout, cluster.secrets.superuserPassword);
  const client = new Client({ host: '127.0.0.1', port: primary.port, user: 'postgres', database: 'postgres', password: cluster.secrets.superuserPassword });
  await client.connect();
  try {
    await client.query('CHECKPOINT');
    const [written] = (await client.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn')).rows;
    const caughtUp = async () => {
      const [replication] = (await client.query<{ standbys: number; behind: number }>(
        'SELECT count(*)::int AS standbys, count(*) FILTER (WHERE replay_lsn IS NULL OR replay_lsn < $1::pg_lsn)::int AS behind FROM pg_stat_replication',
        [written!.lsn],
      )).rows;
      return replication && replication.standbys > 0 && replication.behind === 0 ? true : undefined;
    };
    await waitFor("the standbys' replay of pgbench's tables", caughtUp, { timeoutMs: 120_000, intervalMs: 250 });
  } finally {
    await client.end();
  }
}

const AUTOGROUP = '/proc/sys/kernel/sched_autogroup_enabled';
const SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];

/**
 * Every process on the same footing for the CPU while a bench runs. With Linux's autogroup
 * scheduling on (Debian's default), the CPU is shared between sessions, not threads: the
 * cluster, whose supervisor runs in a session of its own, got as much as the bench's session
 * however many processes each held — so the cluster's gateway competed with Postgres and
 * every other service for half the machine, while PgBouncer and the bench's extra gateways
 * competed only with pgbench for the other half. Measured (2026-12-04, pgbench -S, 50 clients,
 * both gateways on Bun): the cluster's own gateway 8,600–8,900 TPS against 13,100–14,000 for
 * the same code started by the bench, and 7,357 against 7,649 with autogroups off. So the
 * benches turn autogroups off (as root) and put the setting back when they stop, or on exit.
 */
function fairScheduling(): { readonly description: string; restore(): void } {
  if (!existsSync(AUTOGROUP)) return { description: 'the kernel has no autogroup scheduling', restore: () => undefined };
  const before = readFileSync(AUTOGROUP, 'utf8').trim();
  if (before === '0') return { description: 'autogroup scheduling off (as it was)', restore: () => undefined };
  try {
    writeFileSync(AUTOGROUP, '0');
  } catch (error) {
    process.stderr.write(`warning: cannot turn autogroup scheduling off (${(error as Error).message}): the cluster's processes share one session's CPU against the bench's\n`);
    return { description: 'autogroup scheduling ON (could not turn it off: not root?) — the cluster\'s services share one session\'s share of the CPU', restore: () => undefined };
  }
  let restored = false;
  const restore = () => {
    if (restored) return;
    restored = true;
    writeFileSync(AUTOGROUP, before);
    process.off('exit', restore);
    for (const signal of SIGNALS) process.off(signal, restoreThenDie);
  };
  // A bench stopped with Ctrl-C or killed still leaves the machine as it found it.
  const restoreThenDie = (signal: NodeJS.Signals) => {
    restore();
    process.kill(process.pid, signal);
  };
  process.once('exit', restore);
  for (const signal of SIGNALS) process.once(signal, restoreThenDie);
  return { description: 'autogroup scheduling off during the run (every thread on the same footing; put back afterwards)', restore };
}

export interface PgbenchRun {
  readonly port: number;
  /** The proxy processes on the path, whose CPU is measured (none for direct Postgres). */
  readonly proxies: readonly number[];
  readonly workload: '-S' | 'tpcb';
  readonly protocol: 'simple' | 'prepared';
  readonly clients: number;
  /** A new connection per transaction (-C). */
  readonly churn?: boolean;
  readonly seconds: number;
}

export interface PgbenchResult {
  readonly tps: number;
  readonly latencyMs: number;
  readonly transactions: number;
  /** Transactions pgbench reports failed (a run with any is not a throughput to compare). */
  readonly failed: number;
  /** CPU time (user + system) the proxies spent per transaction, in µs; undefined without proxies. */
  readonly proxyCpuMicros?: number;
  /** Of that, the time in the kernel (system calls, the network stack, page faults). */
  readonly proxySystemMicros?: number;
}

/** One pgbench run (-j 2, -n) with `env`; rejects as execFile does when pgbench fails. */
export async function runPgbench(env: NodeJS.ProcessEnv, how: PgbenchRun): Promise<PgbenchResult> {
  const args = ['-p', String(how.port), '-M', how.protocol, '-c', String(how.clients), '-j', '2', '-T', String(how.seconds), '-n'];
  if (how.workload === '-S') args.push('-S');
  if (how.churn) args.push('-C');
  const cpuBefore = how.proxies.map(cpuTimesOf);
  const { stdout } = await promisify(execFile)(PGBENCH, args, { env, timeout: (how.seconds + 60) * 1000 });
  const cpuAfter = how.proxies.map(cpuTimesOf);
  const spent = (part: 'user' | 'system') => cpuAfter.reduce((sum, times, index) => sum + times[part] - cpuBefore[index]![part], 0);
  const cpuSpent = spent('user') + spent('system');
  const number = (pattern: RegExp) => Number(pattern.exec(stdout)?.[1] ?? 0);
  const transactions = number(/number of transactions actually processed: (\d+)/);
  return {
    tps: number(/tps = ([\d.]+)/),
    latencyMs: number(/latency average = ([\d.]+) ms/),
    transactions,
    failed: number(/number of failed transactions: (\d+)/),
    ...(how.proxies.length > 0 && transactions > 0 ? { proxyCpuMicros: (cpuSpent * 1e6) / transactions, proxySystemMicros: (spent('system') * 1e6) / transactions } : {}),
  };
}

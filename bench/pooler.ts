/**
 * `npm run bench:pooler`: pgbench against the same Postgres five ways in one run — direct,
 * through PgBouncer (Debian's, transaction mode, the same pool size, on the same trusted
 * socket), through two PgBouncers in a row (two hops), through Polygres as an application in
 * the primary's zone meets it (that zone's gateway, serving its co-located Postgres from its
 * own pool: one hop), and through Polygres from another zone (that zone's gateway, the link,
 * the primary's pooler: two hops) — for select-only (-S) and TPC-B-like workloads, simple and
 * prepared protocol, 10/50/100 clients, alternating targets; then connection churn (-C).
 * Prints TPS, latency, the ratios and the proxies' CPU time per transaction (what limits a
 * proxy on a machine it shares with pgbench and Postgres), and writes them to
 * bench/results/pooler.md.
 *
 * BENCH_SECONDS (default 15) sets each run's length, BENCH_CLIENTS (default 10,50,100) the
 * client counts.
 */
import { execFile, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { cpuSecondsOf } from '../runtime/src/util/process-tree';
import { readPidFile } from '../runtime/src/util/processes';
import { startLocalCluster } from '../test/support/local-cluster';
import { startPgBouncer, superuserVerifier } from '../test/support/pgbouncer';

const run = promisify(execFile);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const CLIENTS = (process.env.BENCH_CLIENTS ?? '10,50,100').split(',').map(Number);
const PGBENCH = '/usr/lib/postgresql/15/bin/pgbench';

interface Target {
  readonly name: 'direct' | 'pgbouncer' | 'pgbouncer2' | 'polygres' | 'polygres-link';
  readonly port: number;
  /** The proxy processes on the path (none for direct), read before each run (a supervisor may restart one). */
  readonly proxies: () => number[];
}

interface Result {
  readonly tps: number | null;
  readonly latencyMs: number | null;
  /** CPU time (user + system) the target's proxies spent per transaction, in µs. */
  readonly proxyCpuMicros?: number;
  readonly error?: string;
}

async function main(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'polygres-bench-'));
  chmodSync(root, 0o755);
  const cluster = await startLocalCluster(root);
  const bouncers: ChildProcess[] = [];
  try {
    // Whichever instance won the first election: direct and PgBouncer must point at it too.
    const before = await cluster.statusNow();
    const primary = cluster.layout.instances.find((instance) => instance.name === before.primary);
    if (!primary) throw new Error(`no primary in the cluster status: ${JSON.stringify(before.instances)}`);
    const gateway = cluster.layout.gateways.find((candidate) => candidate.zone === primary.zone)!;
    const remoteGateway = cluster.layout.gateways.find((candidate) => candidate.zone !== primary.zone)!;
    // No TLS on any target: the gateway offers it, but PgBouncer here and Postgres' TCP port do
    // not, so a client's default (sslmode=prefer) would tax only the Polygres path.
    const env = { ...process.env, PGPASSWORD: cluster.secrets.superuserPassword, PGUSER: 'postgres', PGHOST: '127.0.0.1', PGDATABASE: 'postgres', PGSSLMODE: 'disable' };
    await run(PGBENCH, ['-i', '-s', '10', '-p', String(primary.port), '-q'], { env });
    const verifier = await superuserVerifier(cluster, primary.port);
    const bouncer = await startPgBouncer(join(root, 'pgbouncer'), { server: `host=${primary.socketDir} port=${primary.port}`, secret: verifier });
    bouncers.push(bouncer.process);
    // A second PgBouncer in front of the first: two pooling hops, as Polygres has (gateway,
    // pooler). It logs in to the first with the password itself, so its file holds that.
    const chained = await startPgBouncer(join(root, 'pgbouncer2'), { server: `host=127.0.0.1 port=${bouncer.port}`, secret: cluster.secrets.superuserPassword });
    bouncers.push(chained.process);
    const pidOf = (name: string) => readPidFile(join(cluster.layout.runDir, `${name}.pid`)) ?? 0;
    const targets: Target[] = [
      { name: 'direct', port: primary.port, proxies: () => [] },
      { name: 'pgbouncer', port: bouncer.port, proxies: () => [bouncer.process.pid ?? 0] },
      { name: 'pgbouncer2', port: chained.port, proxies: () => [chained.process.pid ?? 0, bouncer.process.pid ?? 0] },
      { name: 'polygres', port: gateway.port, proxies: () => [pidOf(`gateway-${gateway.zone}`)] },
      { name: 'polygres-link', port: remoteGateway.port, proxies: () => [pidOf(`gateway-${remoteGateway.zone}`), pidOf(`pooler-${primary.name}`)] },
    ];
    const rows: string[] = [];
    const say = (line: string) => {
      process.stdout.write(`${line}\n`);
      rows.push(line);
    };
    say('| workload | protocol | clients | direct tps | pgbouncer tps | 2×pgbouncer tps | polygres tps | polygres via link tps | polygres/pgbouncer | polygres/direct | via link/2×pgbouncer | latency ms (d/b/2b/p/pl) | proxy CPU µs/tx (b/2b/p/pl) |');
    say('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
    for (const workload of ['-S', 'tpcb'] as const) {
      for (const protocol of ['simple', 'prepared'] as const) {
        for (const clients of CLIENTS) {
          const results = new Map<string, Result>();
          // Alternate the order so no target always runs on a warmer cache.
          const order = clients % 20 === 0 ? [...targets].reverse() : targets;
          for (const target of order) results.set(target.name, await pgbench(env, target, workload, protocol, clients, false));
          say(row(workload === '-S' ? 'select-only' : 'TPC-B-like', protocol, String(clients), results));
        }
      }
    }
    // Connection churn, once per target: a new connection (with SCRAM) per transaction.
    const churn = new Map<string, Result>();
    for (const target of targets) churn.set(target.name, await pgbench(env, target, '-S', 'simple', 10, true));
    say(row('select-only, new connection per transaction (-C)', 'simple', '10', churn));
    const after = await cluster.statusNow();
    const stability =
      after.term === before.term && after.primary === before.primary
        ? `The primary (${primary.name}, term ${before.term}) served the whole run.`
        : `WARNING: the primary changed during the run (term ${before.term} ${before.primary} -> term ${after.term} ${after.primary}); rows after the change compare different servers.`;
    const report = [
      '# Pooler benchmark',
      '',
      `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${new Date().toISOString()}.`,
      `pgbench ${SECONDS} s per run, scale 10, default local cluster (3 zones, atLeast(2): TPC-B commits wait for a standby on every target).`,
      `direct = the primary's Postgres TCP port (SCRAM); pgbouncer = PgBouncer 1.18, transaction mode, pool size 20, on the primary's trusted socket;`,
      `2×pgbouncer = a second PgBouncer (the same settings) in front of the first: two pooling hops, to show what a second hop costs here;`,
      `polygres = the gateway of the primary's zone (${primary.zone}), which serves its co-located Postgres from its own pool (one hop), pool size 20;`,
      `polygres via link = the gateway of ${remoteGateway.zone} -> multiplexed link -> the primary's pooler -> Postgres (two hops, as every gateway on Kubernetes), pool size 20.`,
      'No TLS on any target (PGSSLMODE=disable). Everything runs on the same machine as pgbench.',
      'proxy CPU = user + system CPU time of the proxy processes on the path (PgBouncer; both PgBouncers; the gateway; the gateway and the pooler) per transaction: on two cores shared with pgbench and Postgres, this is what a proxy takes from the others.',
      stability,
      '',
      ...rows,
      '',
    ].join('\n');
    mkdirSync(join(__dirname, 'results'), { recursive: true });
    writeFileSync(join(__dirname, 'results', 'pooler.md'), report);
  } finally {
    for (const bouncer of bouncers) bouncer.kill('SIGTERM');
    await cluster.stop();
    rmSync(root, { recursive: true, force: true });
  }
}

async function pgbench(env: NodeJS.ProcessEnv, target: Target, workload: '-S' | 'tpcb', protocol: 'simple' | 'prepared', clients: number, churn: boolean): Promise<Result> {
  const args = ['-p', String(target.port), '-M', protocol, '-c', String(clients), '-j', '2', '-T', String(SECONDS), '-n'];
  if (workload === '-S') args.push('-S');
  if (churn) args.push('-C');
  try {
    const proxies = target.proxies();
    const cpuBefore = proxies.map(cpuSecondsOf);
    const { stdout } = await run(PGBENCH, args, { env, timeout: (SECONDS + 60) * 1000 });
    const cpuSpent = proxies.reduce((sum, pid, index) => sum + cpuSecondsOf(pid) - cpuBefore[index]!, 0);
    const tps = /tps = ([\d.]+)/.exec(stdout);
    const latency = /latency average = ([\d.]+) ms/.exec(stdout);
    const processed = /number of transactions actually processed: (\d+)/.exec(stdout);
    const failed = /number of failed transactions: (\d+)/.exec(stdout);
    if (failed && Number(failed[1]) > 0) return { tps: null, latencyMs: null, error: `${failed[1]} failed` };
    const transactions = processed ? Number(processed[1]) : 0;
    return {
      tps: tps ? Number(tps[1]) : null,
      latencyMs: latency ? Number(latency[1]) : null,
      ...(proxies.length > 0 && transactions > 0 ? { proxyCpuMicros: (cpuSpent * 1e6) / transactions } : {}),
    };
  } catch (error) {
    const text = String((error as { stderr?: string }).stderr ?? (error as Error).message);
    const line = text.split('\n').find((candidate) => candidate.includes('ERROR')) ?? text.split('\n').find((candidate) => candidate.includes('error')) ?? 'failed';
    process.stderr.write(`${target.name}: ${line}\n`);
    return { tps: null, latencyMs: null, error: line.includes('ERROR:') ? line.slice(line.indexOf('ERROR:')) : line };
  }
}

function row(workload: string, protocol: string, clients: string, results: Map<string, Result>): string {
  const tps = (name: string) => {
    const result = results.get(name);
    return result?.tps ? result.tps.toFixed(0) : `fails${result?.error ? ` (${result.error.slice(0, 90)})` : ''}`;
  };
  const ratio = (a: string, b: string) => {
    const x = results.get(a)?.tps;
    const y = results.get(b)?.tps;
    return x && y ? `${(x / y).toFixed(2)}×` : '-';
  };
  const latency = ['direct', 'pgbouncer', 'pgbouncer2', 'polygres', 'polygres-link'].map((name) => results.get(name)?.latencyMs?.toFixed(2) ?? '-').join(' / ');
  const proxyCpu = ['pgbouncer', 'pgbouncer2', 'polygres', 'polygres-link'].map((name) => results.get(name)?.proxyCpuMicros?.toFixed(0) ?? '-').join(' / ');
  return `| ${workload} | ${protocol} | ${clients} | ${tps('direct')} | ${tps('pgbouncer')} | ${tps('pgbouncer2')} | ${tps('polygres')} | ${tps('polygres-link')} | ${ratio('polygres', 'pgbouncer')} | ${ratio('polygres', 'direct')} | ${ratio('polygres-link', 'pgbouncer2')} | ${latency} | ${proxyCpu} |`;
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});

/**
 * `npm run bench:pooler`: pgbench against the same Postgres in one run — direct; through
 * PgBouncer (Debian's, transaction mode, the same pool size, on the same trusted socket);
 * through two PgBouncers in a row (two hops); through Polygres as an application in the
 * primary's zone meets it (that zone's gateway, serving its co-located Postgres from its own
 * pool: one hop), once on Node and once on Bun (a second gateway of that zone, the same code on
 * the other runtime); and through Polygres from another zone (that zone's gateway, the link,
 * the primary's pooler: two hops) — for select-only (-S) and TPC-B-like workloads, simple and
 * prepared protocol; then the same select-only run with TLS from the client (PgBouncer and both
 * gateways), then connection churn (-C). Every cell is the median of BENCH_ROUNDS runs, the
 * targets alternating within each round. Prints TPS, latency, the ratios and the proxies' CPU
 * time per transaction (what limits a proxy on a machine it shares with pgbench and Postgres),
 * and writes them to bench/results/pooler.md.
 *
 * BENCH_SECONDS (default 15) sets each run's length, BENCH_CLIENTS (default 50) the client
 * counts, BENCH_ROUNDS (default 3) the runs per cell. The cluster's own services run on the
 * runtime POLYGRES_DATA_PATH_RUNTIME names (Bun where installed, unless set); the extra gateway
 * on the other.
 */
import { execFile, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type DataPathRuntime, dataPathRuntime, runtimeExecutable } from '../runtime/src/local/service-runtime';
import { readPidFile } from '../runtime/src/util/processes';
import { startPgBouncer } from '../test/support/pgbouncer';
import { type PgbenchRun, runPgbench, startBenchCluster } from './bench-cluster';
import { type ExtraGateway, startGatewayOn } from './gateway-on-runtime';

const run = promisify(execFile);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const CLIENTS = (process.env.BENCH_CLIENTS ?? '50').split(',').map(Number);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const WARM_UP_SECONDS = 5;

type TargetName = 'direct' | 'pgbouncer' | 'pgbouncer2' | 'polygres-node' | 'polygres-bun' | 'polygres-link';

interface Target {
  readonly name: TargetName;
  readonly port: number;
  /** The proxy processes on the path (none for direct), read before each run (a supervisor may restart one). */
  readonly proxies: () => number[];
  /** It accepts TLS from clients (the TLS row runs only these). */
  readonly tls: boolean;
}

interface Result {
  readonly tps: number | null;
  readonly latencyMs: number | null;
  /** CPU time (user + system) the target's proxies spent per transaction, in µs. */
  readonly proxyCpuMicros?: number;
  readonly error?: string;
}

const COLUMNS: readonly TargetName[] = ['direct', 'pgbouncer', 'pgbouncer2', 'polygres-node', 'polygres-bun', 'polygres-link'];

async function main(): Promise<void> {
  const clusterRuntime = dataPathRuntime();
  const otherRuntime: DataPathRuntime = clusterRuntime === 'node' ? 'bun' : 'node';
  const bench = await startBenchCluster('bench', { bouncerTls: true });
  const { root, cluster, primary, env, bouncer } = bench;
  const bouncers: ChildProcess[] = [];
  let extra: ExtraGateway | undefined;
  try {
    // Whichever instance won the first election: direct and PgBouncer point at it too.
    const before = await cluster.statusNow();
    const gateway = cluster.layout.gateways.find((candidate) => candidate.zone === primary.zone)!;
    const remoteGateway = cluster.layout.gateways.find((candidate) => candidate.zone !== primary.zone)!;
    // No TLS unless the row says so (env has sslmode=disable): Postgres' TCP port does not
    // offer it here, so a client's default (sslmode=prefer) would tax only some targets.
    // A second PgBouncer in front of the first: two pooling hops, as Polygres has (gateway,
    // pooler). It logs in to the first with the password itself, so its file holds that.
    const chained = await startPgBouncer(join(root, 'pgbouncer2'), { server: `host=127.0.0.1 port=${bouncer.port}`, secret: cluster.secrets.superuserPassword });
    bouncers.push(chained.process);
    extra = await startGatewayOn(otherRuntime, cluster.stateDir, gateway.zone);
    const extraGateway = extra;
    const pidOf = (name: string) => readPidFile(join(cluster.layout.runDir, `${name}.pid`)) ?? 0;
    const clusterGateway = { port: gateway.port, proxies: () => [pidOf(`gateway-${gateway.zone}`)] };
    const otherGateway = { port: extraGateway.port, proxies: () => [extraGateway.process.pid ?? 0] };
    const targets: Target[] = [
      { name: 'direct', port: primary.port, proxies: () => [], tls: false },
      { name: 'pgbouncer', port: bouncer.port, proxies: () => [bouncer.process.pid ?? 0], tls: bench.bouncerTls },
      { name: 'pgbouncer2', port: chained.port, proxies: () => [chained.process.pid ?? 0, bouncer.process.pid ?? 0], tls: false },
      { name: 'polygres-node', ...(clusterRuntime === 'node' ? clusterGateway : otherGateway), tls: bench.bouncerTls },
      { name: 'polygres-bun', ...(clusterRuntime === 'bun' ? clusterGateway : otherGateway), tls: bench.bouncerTls },
      { name: 'polygres-link', port: remoteGateway.port, proxies: () => [pidOf(`gateway-${remoteGateway.zone}`), pidOf(`pooler-${primary.name}`)], tls: false },
    ];
    const rows: string[] = [];
    const say = (line: string) => {
      process.stdout.write(`${line}\n`);
      rows.push(line);
    };
    await warmUp(env, targets);
    say('| workload | protocol | clients | direct tps | pgbouncer tps | 2×pgbouncer tps | polygres node tps | polygres bun tps | polygres via link tps | node/pgbouncer | bun/pgbouncer | via link/2×pgbouncer | latency ms (d/b/2b/n/bun/l) | proxy CPU µs/tx (b/2b/n/bun/l) |');
    say('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
    for (const workload of ['-S', 'tpcb'] as const) {
      for (const protocol of ['simple', 'prepared'] as const) {
        for (const clients of CLIENTS) {
          say(row(workload === '-S' ? 'select-only' : 'TPC-B-like', protocol, String(clients), await rounds(targets, (target) => pgbench(env, target, { workload, protocol, clients, churn: false }))));
        }
      }
    }
    // Clients in production use TLS: the same select-only run with sslmode=require where offered.
    const tlsTargets = targets.filter((target) => target.tls);
    if (tlsTargets.length > 0) {
      const tlsEnv = { ...env, PGSSLMODE: 'require' };
      for (const clients of CLIENTS) say(row('select-only, TLS from the client', 'simple', String(clients), await rounds(tlsTargets, (target) => pgbench(tlsEnv, target, { workload: '-S', protocol: 'simple', clients, churn: false }))));
    }
    // Connection churn: a new connection (with SCRAM) per transaction.
    say(row('select-only, new connection per transaction (-C)', 'simple', '10', await rounds(targets, (target) => pgbench(env, target, { workload: '-S', protocol: 'simple', clients: 10, churn: true }))));
    const after = await cluster.statusNow();
    const stability =
      after.term === before.term && after.primary === before.primary
        ? `The primary (${primary.name}, term ${before.term}) served the whole run.`
        : `WARNING: the primary changed during the run (term ${before.term} ${before.primary} -> term ${after.term} ${after.primary}); rows after the change compare different servers.`;
    const versions = await runtimeVersions();
    const report = [
      '# Pooler benchmark',
      '',
      `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, ${new Date().toISOString()}.`,
      `Runtimes: ${versions}. The cluster's services ran on ${clusterRuntime}; the second gateway of ${gateway.zone} on ${otherRuntime}.`,
      `pgbench ${SECONDS} s per run, -j 2, scale 10; before the first row, the cluster quiet (pgbench's tables archived, replayed by the standbys, checkpointed) and one unmeasured ${WARM_UP_SECONDS}-s run of each workload per target; each cell is the median of ${ROUNDS} runs, the targets alternating within each round. Default local cluster (3 zones, atLeast(2): TPC-B commits wait for a standby on every target).`,
      `direct = the primary's Postgres TCP port (SCRAM); pgbouncer = PgBouncer 1.18, transaction mode, pool size 20, on the primary's trusted socket;`,
      `2×pgbouncer = a second PgBouncer (the same settings) in front of the first: two pooling hops, to show what a second hop costs here;`,
      `polygres node / bun = a gateway of the primary's zone (${primary.zone}) on Node / on Bun, each serving its co-located Postgres from its own pool (one hop), pool size 20;`,
      `polygres via link = the gateway of ${remoteGateway.zone} -> multiplexed link -> the primary's pooler -> Postgres (two hops, as every gateway on Kubernetes), pool size 20, on ${clusterRuntime}.`,
      'No TLS except in the TLS row (sslmode=require: PgBouncer and the gateways with the same certificate; Postgres here offers none). Everything runs on the same machine as pgbench.',
      `CPU scheduling: ${bench.scheduling}.`,
      'proxy CPU = user + system CPU time of the proxy processes on the path (PgBouncer; both PgBouncers; the gateway; the gateway and the pooler) per transaction: on two cores shared with pgbench and Postgres, this is what a proxy takes from the others.',
      stability,
      '',
      ...rows,
      '',
    ].join('\n');
    mkdirSync(join(__dirname, 'results'), { recursive: true });
    writeFileSync(join(__dirname, 'results', 'pooler.md'), report);
  } finally {
    await extra?.stop();
    for (const chained of bouncers) chained.kill('SIGTERM');
    await bench.stop();
  }
}

/**
 * One unmeasured run of each workload per target before the first row: a gateway's first
 * seconds run its code unoptimised (the JIT has not seen it yet) and fill its pool, PgBouncer
 * fills its pool, Postgres' backends fill their caches. Without it the first row (select-only)
 * measured whichever target ran first at a disadvantage (2026-12-04: the Bun gateway 6.9k,
 * 8.8k, 10.8k, 11.3k TPS over its first four 10-s runs).
 */
async function warmUp(env: NodeJS.ProcessEnv, targets: readonly Target[]): Promise<void> {
  for (const target of targets) {
    for (const workload of ['-S', 'tpcb'] as const) await pgbench(env, target, { workload, protocol: 'simple', clients: Math.max(...CLIENTS), churn: false }, WARM_UP_SECONDS);
  }
}

/** ROUNDS runs of every target, alternating the order each round; the median of each. */
async function rounds(targets: readonly Target[], once: (target: Target) => Promise<Result>): Promise<Map<TargetName, Result>> {
  const runs = new Map<TargetName, Result[]>(targets.map((target) => [target.name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    // No target always runs on a warmer (or a more tired) machine.
    const order = round % 2 === 0 ? targets : [...targets].reverse();
    for (const target of order) runs.get(target.name)!.push(await once(target));
  }
  return new Map([...runs].map(([name, results]) => [name, median(results)]));
}

/** The run of median throughput (its latency and CPU with it); a failure if any run failed. */
function median(results: readonly Result[]): Result {
  const failed = results.find((result) => result.tps === null);
  if (failed) return failed;
  const sorted = [...results].sort((a, b) => a.tps! - b.tps!);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function runtimeVersions(): Promise<string> {
  const versions = [`Node ${process.version}`];
  try {
    const { stdout } = await run(runtimeExecutable('bun'), ['--version']);
    versions.push(`Bun ${stdout.trim()}`);
  } catch {
    versions.push('Bun not installed');
  }
  const { stdout } = await run('/usr/sbin/pgbouncer', ['--version']);
  versions.push(stdout.split('\n')[0]!.trim());
  return versions.join(', ');
}

type Run = Pick<PgbenchRun, 'workload' | 'protocol' | 'clients' | 'churn'>;

/** One run against `target`; a failure (PgBouncer refusing -M prepared, say) becomes a result that says why. */
async function pgbench(env: NodeJS.ProcessEnv, target: Target, how: Run, seconds = SECONDS): Promise<Result> {
  try {
    const result = await runPgbench(env, { ...how, port: target.port, proxies: target.proxies(), seconds });
    if (result.failed > 0) return { tps: null, latencyMs: null, error: `${result.failed} failed` };
    return { tps: result.tps || null, latencyMs: result.latencyMs || null, ...(result.proxyCpuMicros === undefined ? {} : { proxyCpuMicros: result.proxyCpuMicros }) };
  } catch (error) {
    const text = String((error as { stderr?: string }).stderr ?? (error as Error).message);
    const line = text.split('\n').find((candidate) => candidate.includes('ERROR')) ?? text.split('\n').find((candidate) => candidate.includes('error')) ?? 'failed';
    process.stderr.write(`${target.name}: ${line}\n`);
    return { tps: null, latencyMs: null, error: line.includes('ERROR:') ? line.slice(line.indexOf('ERROR:')) : line };
  }
}

function row(workload: string, protocol: string, clients: string, results: Map<TargetName, Result>): string {
  const tps = (name: TargetName) => {
    if (!results.has(name)) return '-';
    const result = results.get(name);
    return result?.tps ? result.tps.toFixed(0) : `fails${result?.error ? ` (${result.error.slice(0, 90)})` : ''}`;
  };
  const ratio = (a: TargetName, b: TargetName) => {
    const x = results.get(a)?.tps;
    const y = results.get(b)?.tps;
    return x && y ? `${(x / y).toFixed(2)}×` : '-';
  };
  const latency = COLUMNS.map((name) => results.get(name)?.latencyMs?.toFixed(2) ?? '-').join(' / ');
  const proxyCpu = COLUMNS.filter((name) => name !== 'direct').map((name) => results.get(name)?.proxyCpuMicros?.toFixed(0) ?? '-').join(' / ');
  const counts = COLUMNS.map(tps).join(' | ');
  return `| ${workload} | ${protocol} | ${clients} | ${counts} | ${ratio('polygres-node', 'pgbouncer')} | ${ratio('polygres-bun', 'pgbouncer')} | ${ratio('polygres-link', 'pgbouncer2')} | ${latency} | ${proxyCpu} |`;
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});

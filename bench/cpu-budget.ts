/**
 * `npm run bench:cpu-budget`: the gateway's CPU per transaction, split by component (client
 * read, classify, pool, server write, server read, client write...), on Node and on Bun,
 * beside PgBouncer's total, and how much of each total the kernel took — for select-only
 * (pgbench -S) and TPC-B-like transactions, simple protocol, BENCH_CLIENTS (default 50)
 * clients, BENCH_SECONDS (default 15) per run. For each workload, each runtime's gateway (a
 * second gateway of the primary's zone, as in bench:pooler) runs under --cpu-prof; the
 * profiles are kept in bench/results/profiles/ (open them in Chrome's DevTools or speedscope)
 * and the tables go to bench/results/cpu-budget.md. See cpu-profile-budget.ts for how samples
 * are attributed.
 */
import { chmodSync, copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import type { DataPathRuntime } from '../runtime/src/local/service-runtime';
import { runPgbench, startBenchCluster } from './bench-cluster';
import { COMPONENTS, type Component, type CpuProfile, budgetOf } from './cpu-profile-budget';
import { startGatewayOn } from './gateway-on-runtime';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 50);

interface Measured {
  readonly tps: number;
  readonly cpuMicrosPerTx: number;
  readonly systemMicrosPerTx: number;
  readonly shares?: Map<Component, number>;
}

/** The workloads measured: pgbench's flag (or its TPC-B-like default) and the name in files and tables. */
const WORKLOADS = [
  { workload: '-S', name: 'select-only', title: 'select-only (pgbench -S)' },
  { workload: 'tpcb', name: 'tpcb', title: 'TPC-B-like (pgbench default: seven statements per transaction, commits wait for a standby)' },
] as const;
type Workload = (typeof WORKLOADS)[number];

async function main(): Promise<void> {
  const bench = await startBenchCluster('cpu-budget');
  const { root, cluster, primary, env, bouncer } = bench;
  const tables = new Map<Workload, Map<string, Measured>>();
  try {
    for (const workload of WORKLOADS) {
      const results = new Map<string, Measured>();
      tables.set(workload, results);
      results.set('PgBouncer', await measure(env, workload, bouncer.port, bouncer.process.pid ?? 0));
      for (const runtime of ['node', 'bun'] as const satisfies readonly DataPathRuntime[]) {
        const profileDir = join(root, `profile-${workload.name}-${runtime}`);
        mkdirSync(profileDir);
        // The gateway may run as the cluster's service account, which must write its profile here.
        chmodSync(profileDir, 0o777);
        const gateway = await startGatewayOn(runtime, cluster.stateDir, primary.zone, { flags: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] });
        const measured = await measure(env, workload, gateway.port, gateway.process.pid ?? 0);
        await gateway.stop();
        const file = readdirSync(profileDir).find((name) => name.endsWith('.cpuprofile'));
        if (!file) throw new Error(`the ${runtime} gateway wrote no profile into ${profileDir}`);
        const budget = budgetOf(JSON.parse(readFileSync(join(profileDir, file), 'utf8')) as CpuProfile);
        const sampled = [...budget.values()].reduce((sum, micros) => sum + micros, 0);
        results.set(`gateway on ${runtime === 'node' ? 'Node' : 'Bun'}`, { ...measured, shares: new Map([...budget].map(([component, micros]) => [component, micros / sampled])) });
        mkdirSync(join(__dirname, 'results', 'profiles'), { recursive: true });
        copyFileSync(join(profileDir, file), join(__dirname, 'results', 'profiles', `gateway-${runtime}-${workload.name}-${CLIENTS}-clients.cpuprofile`));
      }
    }
  } finally {
    await bench.stop();
  }
  writeReport(tables, bench.scheduling);
}

/** pgbench `workload` against `port`; the CPU `pid` spent per transaction meanwhile. */
async function measure(env: NodeJS.ProcessEnv, { workload }: Workload, port: number, pid: number): Promise<Measured> {
  const result = await runPgbench(env, { port, proxies: [pid], workload, protocol: 'simple', clients: CLIENTS, seconds: SECONDS });
  if (result.transactions === 0) throw new Error(`pgbench through ${port} processed nothing`);
  return { tps: result.tps, cpuMicrosPerTx: result.proxyCpuMicros!, systemMicrosPerTx: result.proxySystemMicros! };
}

function writeReport(tables: Map<Workload, Map<string, Measured>>, scheduling: string): void {
  const lines = [
    '# CPU budget per transaction',
    '',
    `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${new Date().toISOString()}. Simple protocol, ${CLIENTS} clients, -j 2, ${SECONDS} s per target, one after another against the same primary.`,
    `CPU scheduling: ${scheduling}.`,
    'Total = user + system CPU of the proxy process (all its threads) per transaction; "of which in the kernel" is its system part. The components split the total by the share of its main thread\'s profile samples (--cpu-prof, 1 ms) each took: a sample counts for the innermost frame of ours on its stack that belongs to a component, so the runtime\'s work (socket writes, copies, the SQL parser) counts where it was asked for. The profiler samples wall time: on cores shared with Postgres and pgbench, a socket write that wakes a backend holds the samples of the time the kernel ran that backend before the write returned, so "server write" and "client write" are upper bounds. Profiles: bench/results/profiles/.',
  ];
  for (const [workload, results] of tables) {
    const names = [...results.keys()];
    lines.push(
      '',
      `## ${workload.title}`,
      '',
      `| µs per transaction | ${names.join(' | ')} |`,
      `| --- | ${names.map(() => '---').join(' | ')} |`,
      `| transactions/s | ${names.map((name) => results.get(name)!.tps.toFixed(0)).join(' | ')} |`,
      `| **total CPU** | ${names.map((name) => `**${results.get(name)!.cpuMicrosPerTx.toFixed(1)}**`).join(' | ')} |`,
      `| of which in the kernel | ${names.map((name) => results.get(name)!.systemMicrosPerTx.toFixed(1)).join(' | ')} |`,
      ...COMPONENTS.map((component) => `| ${component} | ${names.map((name) => cell(results.get(name)!, component)).join(' | ')} |`),
    );
  }
  lines.push('');
  process.stdout.write(lines.join('\n'));
  mkdirSync(join(__dirname, 'results'), { recursive: true });
  writeFileSync(join(__dirname, 'results', 'cpu-budget.md'), lines.join('\n'));
}

function cell(measured: Measured, component: Component): string {
  const share = measured.shares?.get(component);
  if (share === undefined) return '-';
  return `${(share * measured.cpuMicrosPerTx).toFixed(1)} (${(share * 100).toFixed(0)}%)`;
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});

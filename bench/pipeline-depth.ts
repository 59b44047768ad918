/**
 * `npm run bench:pipeline-depth`: how deep sessions' statements should queue behind a running
 * one on a busy server connection (pooler.pipelineDepth). pgbench -S and TPC-B, simple
 * protocol, BENCH_CLIENTS (default 50) clients, through a gateway of the primary's zone (one
 * hop) started for each depth — 0 (off), 1, 2, 4, 8 — on the runtime BENCH_RUNTIME names
 * (unless set, the data path's default: Bun where it is installed), with PgBouncer in the
 * same rounds; each cell the median of BENCH_ROUNDS (default 3) runs of BENCH_SECONDS
 * (default 15), the depths alternating within each round.
 * Writes bench/results/pipeline-depth.md.
 */
import { type DataPathRuntime, dataPathRuntime } from '../runtime/src/local/service-runtime';
import { runPgbench, startBenchCluster } from './bench-cluster';
import { machineAndTime, publishReport } from './bench-report';
import { startGatewayOn } from './gateway-on-runtime';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 50);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const RUNTIME: DataPathRuntime = process.env.BENCH_RUNTIME ? dataPathRuntime({ POLYGRES_DATA_PATH_RUNTIME: process.env.BENCH_RUNTIME }) : dataPathRuntime();
const DEPTHS = [0, 1, 2, 4, 8];

interface Sample {
  readonly tps: number;
  readonly cpuMicros: number;
  /** Statements the gateway pipelined, per transaction. */
  readonly pipelinedShare?: number;
}

async function main(): Promise<void> {
  const bench = await startBenchCluster('pipeline-depth');
  const { cluster, primary, env, bouncer } = bench;
  const lines: string[] = [];
  try {
    lines.push(`| workload | ${DEPTHS.map((depth) => `depth ${depth}`).join(' | ')} | PgBouncer |`, `| --- | ${DEPTHS.map(() => '---').join(' | ')} | --- |`);
    for (const workload of ['-S', 'tpcb'] as const) {
      const samples = new Map<string, Sample[]>();
      const add = (name: string, sample: Sample) => samples.set(name, [...(samples.get(name) ?? []), sample]);
      for (let round = 0; round < ROUNDS; round++) {
        const order = round % 2 === 0 ? DEPTHS : [...DEPTHS].reverse();
        for (const depth of order) {
          const gateway = await startGatewayOn(RUNTIME, cluster.stateDir, primary.zone, { spec: { name: `depth-${depth}`, change: (spec) => ({ ...spec, pooler: { ...spec.pooler, pipelineDepth: depth } }) } });
          try {
            add(`depth ${depth}`, await pgbench(env, gateway.port, gateway.process.pid ?? 0, workload, () => pipelinedCount(gateway.port + 2)));
          } finally {
            await gateway.stop();
          }
        }
        add('PgBouncer', await pgbench(env, bouncer.port, bouncer.process.pid ?? 0, workload));
      }
      const names = [...DEPTHS.map((depth) => `depth ${depth}`), 'PgBouncer'];
      lines.push(`| ${workload === '-S' ? 'select-only' : 'TPC-B-like'} | ${names.map((name) => describe(median(samples.get(name)!))).join(' | ')} |`);
      process.stdout.write(`${lines.at(-1)}\n`);
    }
  } finally {
    await bench.stop();
  }
  const report = [
    '# Pipeline depth',
    '',
    `Machine: ${machineAndTime()}; the gateway on ${RUNTIME}.`,
    `pgbench simple protocol, ${CLIENTS} clients, -j 2, ${SECONDS} s per run; each cell the median of ${ROUNDS} runs (by TPS), depths alternating within each round. A gateway of the primary's zone (one hop, pool size 20) started for each run with pooler.pipelineDepth = the depth; PgBouncer 1.18 (transaction mode, pool size 20) in the same rounds.`,
    'Each cell: TPS, the proxy\'s CPU µs per transaction, and (gateways) the share of transactions whose statement was sent behind another session\'s.',
    '',
    ...lines,
    '',
  ];
  publishReport('pipeline-depth.md', report);
}

/** The gateway's count of pipelined statements, from its metrics (the metrics port is the gateway's + 2 here). */
async function pipelinedCount(metricsPort: number): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
  const text = await response.text();
  const line = text.split('\n').find((candidate) => candidate.startsWith('polygres_gateway_statements_pipelined_total'));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

async function pgbench(env: NodeJS.ProcessEnv, port: number, pid: number, workload: '-S' | 'tpcb', pipelined?: () => Promise<number>): Promise<Sample> {
  const pipelinedBefore = (await pipelined?.()) ?? 0;
  const result = await runPgbench(env, { port, proxies: [pid], workload, protocol: 'simple', clients: CLIENTS, seconds: SECONDS });
  if (result.transactions === 0) throw new Error(`pgbench through ${port} processed nothing`);
  const sample = { tps: result.tps, cpuMicros: result.proxyCpuMicros! };
  if (!pipelined) return sample;
  // TPC-B's transactions hold a connection from BEGIN to END: only -S has single statements to pipeline.
  return { ...sample, pipelinedShare: ((await pipelined()) - pipelinedBefore) / result.transactions };
}

function median(samples: readonly Sample[]): Sample {
  return [...samples].sort((a, b) => a.tps - b.tps)[Math.floor(samples.length / 2)]!;
}

function describe(sample: Sample): string {
  const share = sample.pipelinedShare === undefined ? '' : `, ${(sample.pipelinedShare * 100).toFixed(0)}% behind`;
  return `${sample.tps.toFixed(0)} tps, ${sample.cpuMicros.toFixed(1)} µs${share}`;
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});

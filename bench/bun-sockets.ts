/**
 * `npm run bench:bun-sockets`: the gateway on Bun with Bun's own sockets (the default on Bun)
 * against the same gateway on Bun's `node:net` layer (POLYGRES_BUN_SOCKETS=node), with the
 * gateway on Node and PgBouncer in the same rounds — pgbench -S, simple protocol,
 * BENCH_CLIENTS (default 50) clients, in the clear and with TLS from the client. Each cell is
 * the median of BENCH_ROUNDS (default 3) runs of BENCH_SECONDS (default 15), the targets
 * alternating within each round. Writes bench/results/bun-sockets.md.
 */
import { runPgbench, startBenchCluster } from './bench-cluster';
import { machineAndTime, publishReport } from './bench-report';
import { type ExtraGateway, startGatewayOn } from './gateway-on-runtime';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 50);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

interface Target {
  readonly name: string;
  readonly port: number;
  readonly pid: number;
}

interface Sample {
  readonly tps: number;
  readonly cpuMicros: number;
}

async function main(): Promise<void> {
  const bench = await startBenchCluster('bun-sockets', { bouncerTls: true });
  const { cluster, primary, env, bouncer } = bench;
  const gateways: ExtraGateway[] = [];
  const lines: string[] = [];
  try {
    const start = async (name: string, runtime: 'node' | 'bun', sockets?: 'native' | 'node'): Promise<Target> => {
      const gateway = await startGatewayOn(runtime, cluster.stateDir, primary.zone, sockets ? { env: { name: `sockets-${sockets}`, values: { POLYGRES_BUN_SOCKETS: sockets } } } : {});
      gateways.push(gateway);
      return { name, port: gateway.port, pid: gateway.process.pid ?? 0 };
    };
    const targets: Target[] = [
      { name: 'PgBouncer', port: bouncer.port, pid: bouncer.process.pid ?? 0 },
      await start('gateway on Node', 'node'),
      await start("gateway on Bun, Bun's own sockets", 'bun', 'native'),
      await start("gateway on Bun, Bun's node:net", 'bun', 'node'),
    ];
    lines.push(`| select-only, ${CLIENTS} clients | ${targets.map((target) => target.name).join(' | ')} |`, `| --- | ${targets.map(() => '---').join(' | ')} |`);
    for (const tls of [false, true]) {
      const runEnv = { ...env, PGSSLMODE: tls ? 'require' : 'disable' };
      const samples = new Map<string, Sample[]>(targets.map((target) => [target.name, []]));
      for (let round = 0; round < ROUNDS; round++) {
        // No target always runs on a warmer (or a more tired) machine.
        const order = round % 2 === 0 ? targets : [...targets].reverse();
        for (const target of order) {
          const result = await runPgbench(runEnv, { port: target.port, proxies: [target.pid], workload: '-S', protocol: 'simple', clients: CLIENTS, seconds: SECONDS });
          if (result.transactions === 0 || result.failed > 0) throw new Error(`pgbench through ${target.name} failed (${result.failed} failed transactions)`);
          samples.get(target.name)!.push({ tps: result.tps, cpuMicros: result.proxyCpuMicros! });
        }
      }
      const bouncerTps = median(samples.get('PgBouncer')!).tps;
      const cells = targets.map((target) => {
        const sample = median(samples.get(target.name)!);
        return `${sample.tps.toFixed(0)} tps, ${sample.cpuMicros.toFixed(1)} µs/tx${target.name === 'PgBouncer' ? '' : ` (${(sample.tps / bouncerTps).toFixed(2)}×)`}`;
      });
      lines.push(`| ${tls ? 'TLS from the client' : 'in the clear'} | ${cells.join(' | ')} |`);
      process.stdout.write(`${lines.at(-1)}\n`);
    }
  } finally {
    for (const gateway of gateways) await gateway.stop();
    await bench.stop();
  }
  const report = [
    "# Bun's own sockets against its node:net",
    '',
    `Machine: ${machineAndTime()}.`,
    `pgbench -S, simple protocol, ${CLIENTS} clients, -j 2, ${SECONDS} s per run; each cell the median of ${ROUNDS} runs (by TPS), the targets alternating within each round. Each gateway is a second gateway of the primary's zone (one hop, pool size 20, the same compiled code); PgBouncer 1.18 in transaction mode, pool size 20, serving TLS with the gateways' certificate.`,
    "Each cell: TPS, the proxy process's CPU (user + system) per transaction, and the ratio to PgBouncer's TPS in the same rounds.",
    '',
    ...lines,
    '',
  ];
  publishReport('bun-sockets.md', report);
}

/** The sample of median throughput. */
function median(samples: readonly Sample[]): Sample {
  return [...samples].sort((a, b) => a.tps - b.tps)[Math.floor(samples.length / 2)]!;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

/**
 * `npm run bench:failover`: how long writes through a gateway stop for a killed primary
 * (kill -9), a frozen primary (SIGSTOP of every Postgres process) and a planned switchover,
 * over N repetitions each (BENCH_REPEAT, default 10). The time is from the fault to the first
 * acknowledged write that was sent after it; for a switchover, whose old primary keeps serving
 * until it is fenced, the longest pause between acknowledgements. Results go to bench/results/.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { freezePostgres, killPostgres } from '../test/support/faults';
import { LEDGER_DDL, LedgerWriter } from '../test/support/ledger-writer';
import { startLocalCluster } from '../test/support/local-cluster';
import { polygres } from '../test/support/polygres-cli';
import { waitFor } from '../runtime/src/util/net';

const REPEAT = Number(process.env.BENCH_REPEAT ?? 10);
const FAULTS = ['kill -9', 'SIGSTOP', 'switchover'] as const;

async function main(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'polygres-bench-'));
  const cluster = await startLocalCluster(root);
  const results = new Map<string, number[]>(FAULTS.map((fault) => [fault, []]));
  const gateway = cluster.layout.gateways[0]!;
  const writer = new LedgerWriter({ host: gateway.host, port: gateway.port, user: 'postgres', password: cluster.secrets.superuserPassword }, 'bench', 0, 1_000);
  try {
    await cluster.query(LEDGER_DDL);
    writer.start();
    for (let round = 0; round < REPEAT; round++) {
      for (const fault of FAULTS) {
        await settle(cluster);
        const before = await cluster.statusNow();
        const at = Date.now();
        let elapsed: number;
        if (fault === 'switchover') {
          const result = await polygres(['switchover', '--state-dir', cluster.stateDir]);
          if (result.code !== 0) throw new Error(`switchover failed: ${result.stderr}`);
          await waitFor('a write after the switchover', () => writer.firstAckAfter(Date.now() - 1), { timeoutMs: 60_000, intervalMs: 5 });
          elapsed = writer.longestPause(at, Date.now());
        } else {
          const thaw = fault === 'SIGSTOP' ? freezePostgres(cluster, before.primary!) : (killPostgres(cluster, before.primary!), () => undefined);
          const ack = await waitFor(`a write after ${fault}`, () => writer.firstAckAfter(at), { timeoutMs: 60_000, intervalMs: 5 });
          thaw();
          elapsed = ack.at - at;
        }
        results.get(fault)!.push(elapsed);
        process.stdout.write(`${fault.padEnd(10)} round ${round + 1}: ${elapsed} ms\n`);
      }
    }
  } finally {
    await writer.stop();
    await cluster.stop();
    rmSync(root, { recursive: true, force: true });
  }
  const report = render(results);
  process.stdout.write(`\n${report}`);
  mkdirSync(join(__dirname, 'results'), { recursive: true });
  writeFileSync(join(__dirname, 'results', 'failover.md'), report);
}

/** Every instance healthy, replicas streaming, no problems: the next fault starts clean. */
async function settle(cluster: Awaited<ReturnType<typeof startLocalCluster>>): Promise<void> {
  let previous: number | null = null;
  await cluster.waitForStatus('a settled cluster', (s) => {
    const settled = s.ruleStatus === 'serving' && s.problems.length === 0 && s.instances.every((i) => i.healthy && (i.role === 'primary' || i.replicationState === 'streaming'));
    const stable = settled && s.term === previous;
    previous = settled ? s.term : null;
    return stable;
  }, 120_000);
}

function render(results: Map<string, number[]>): string {
  const lines = [
    '# Failover benchmark',
    '',
    `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${new Date().toISOString()}.`,
    'Kill -9 and SIGSTOP: time from the fault to the first acknowledged write sent after it. Switchover: longest pause between acknowledged writes. Through a gateway; default local cluster (3 zones, atLeast(2)).',
    '',
    '| fault | runs | median ms | max ms |',
    '| --- | --- | --- | --- |',
  ];
  for (const [fault, times] of results) {
    const sorted = [...times].sort((a, b) => a - b);
    const median = sorted.length ? sorted[Math.floor(sorted.length / 2)]! : 0;
    lines.push(`| ${fault} | ${sorted.length} | ${median} | ${sorted.at(-1) ?? 0} |`);
  }
  return `${lines.join('\n')}\n`;
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});

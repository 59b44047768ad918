/**
 * `npm run bench:failover`: how long writes through a gateway stop for a killed primary
 * (kill -9), a frozen primary (SIGSTOP of every Postgres process), a planned switchover, and
 * the orchestrator running a failover or a switchover killed in the middle of it, over N
 * repetitions each (BENCH_REPEAT, default 10). Two measures, as a client sees them, from a
 * writer that keeps writing and gives up on a write after 2 s: from the fault to the first
 * acknowledged write sent after it, and the longest gap between acknowledged writes around the
 * fault. For the orchestrator faults the fault is the kill, and the takeover (the kill to the
 * next rule serving) is reported too. BENCH_FAULTS picks some of them; BENCH_KEEP keeps the
 * services' logs. Results go to bench/results/.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { freezePostgres, killOrchestratorMidElection, killPostgres } from '../test/support/faults';
import { LEDGER_DDL, LedgerWriter } from '../test/support/ledger-writer';
import { startLocalCluster } from '../test/support/local-cluster';
import { polygres } from '../test/support/polygres-cli';
import { waitFor } from '../runtime/src/util/net';

const REPEAT = Number(process.env.BENCH_REPEAT ?? 10);
const FAULTS = ['kill -9', 'SIGSTOP', 'switchover', 'orchestrator lost mid-failover', 'orchestrator lost mid-switchover'] as const;
type Fault = (typeof FAULTS)[number];
/** BENCH_FAULTS: a comma-separated subset, to measure some faults again. */
const CHOSEN: readonly Fault[] = process.env.BENCH_FAULTS ? FAULTS.filter((fault) => process.env.BENCH_FAULTS!.split(',').includes(fault)) : FAULTS;
type Cluster = Awaited<ReturnType<typeof startLocalCluster>>;

interface Measure {
  readonly firstAckMs: number;
  readonly longestGapMs: number;
  readonly takeoverMs?: number;
}

async function main(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'polygres-bench-'));
  const cluster = await startLocalCluster(root);
  const results = new Map<Fault, Measure[]>(CHOSEN.map((fault) => [fault, []]));
  const gateway = cluster.layout.gateways[0]!;
  const writer = new LedgerWriter({ host: gateway.host, port: gateway.port, user: 'postgres', password: cluster.secrets.superuserPassword }, 'bench', 0, 2_000);
  try {
    await cluster.query(LEDGER_DDL);
    writer.start();
    for (let round = 0; round < REPEAT; round++) {
      for (const fault of CHOSEN) {
        await settle(cluster);
        const measure = await inject(cluster, writer, fault);
        results.get(fault)!.push(measure);
        process.stdout.write(`${fault.padEnd(32)} round ${round + 1}: first ack ${measure.firstAckMs} ms, longest gap ${measure.longestGapMs} ms${measure.takeoverMs !== undefined ? `, takeover ${measure.takeoverMs} ms` : ''}\n`);
      }
    }
  } finally {
    await writer.stop();
    if (process.env.BENCH_KEEP) cpSync(cluster.layout.logDir, join(root, 'logs'), { recursive: true });
    await cluster.stop();
    // BENCH_KEEP: the services' logs stay, to see where the time went.
    if (process.env.BENCH_KEEP) process.stdout.write(`kept ${root}\n`);
    else rmSync(root, { recursive: true, force: true });
  }
  const report = render(results);
  process.stdout.write(`\n${report}`);
  mkdirSync(join(__dirname, 'results'), { recursive: true });
  writeFileSync(join(__dirname, 'results', 'failover.md'), report);
}

/** One fault, measured from its moment until writes flow again and the cluster settles. */
async function inject(cluster: Cluster, writer: LedgerWriter, fault: Fault): Promise<Measure> {
  const before = await cluster.statusNow();
  if (fault === 'switchover') {
    const at = Date.now();
    const result = await polygres(['switchover', '--yes', '--state-dir', cluster.stateDir]);
    if (result.code !== 0) throw new Error(`switchover failed: ${result.stderr}`);
    return measured(cluster, writer, at);
  }
  if (fault === 'kill -9' || fault === 'SIGSTOP') {
    const at = Date.now();
    // The moment, to read the services' logs against (BENCH_KEEP).
    process.stdout.write(`${fault} of ${before.primary} at ${new Date(at).toISOString()}\n`);
    const thaw = fault === 'SIGSTOP' ? freezePostgres(cluster, before.primary!) : (killPostgres(cluster, before.primary!), () => undefined);
    try {
      return await measured(cluster, writer, at);
    } finally {
      thaw();
    }
  }
  let thawPrimary = () => undefined as void;
  let switchover: ReturnType<typeof polygres> | undefined;
  try {
    const { election, killedAt: at } = await killOrchestratorMidElection(cluster, () => {
      if (fault === 'orchestrator lost mid-failover') thawPrimary = freezePostgres(cluster, before.primary!);
      else switchover = polygres(['switchover', '--yes', '--state-dir', cluster.stateDir]);
    }, 60_000);
    const next = await cluster.waitForStatus('the next rule serving', (s) => s.ruleStatus === 'serving' && (s.term ?? 0) > election.term, 60_000);
    const takeoverMs = Date.now() - at;
    if (next.primary === before.primary && fault === 'orchestrator lost mid-failover') throw new Error('the frozen primary kept its role');
    const result = await switchover;
    if (result && result.code !== 0) throw new Error(`switchover failed: ${result.stderr}`);
    return { ...(await measured(cluster, writer, at)), takeoverMs };
  } finally {
    thawPrimary();
  }
}

/** From `at`: the first write sent after it acknowledged, then the longest gap once settled. */
async function measured(cluster: Cluster, writer: LedgerWriter, at: number): Promise<Measure> {
  const ack = await waitFor('a write acknowledged after the fault', () => writer.firstAckAfter(at), { timeoutMs: 60_000, intervalMs: 5 });
  await settle(cluster);
  return { firstAckMs: ack.at - at, longestGapMs: writer.longestPause(at, Date.now()) };
}

/** Every instance healthy, replicas streaming, no problems: the next fault starts clean. */
async function settle(cluster: Cluster): Promise<void> {
  let previous: number | null = null;
  await cluster.waitForStatus('a settled cluster', (s) => {
    const settled = s.ruleStatus === 'serving' && s.problems.length === 0 && s.instances.every((i) => i.healthy && (i.role === 'primary' || i.replicationState === 'streaming'));
    const stable = settled && s.term === previous;
    previous = settled ? s.term : null;
    return stable;
  }, 120_000);
}

function render(results: Map<Fault, Measure[]>): string {
  const lines = [
    '# Failover benchmark',
    '',
    `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${new Date().toISOString()}.`,
    'One writer through a gateway that keeps writing and gives up on a write after 2 s; default local cluster (3 zones, atLeast(2)).',
    '"First ack": from the fault to the first acknowledged write sent after it. "Longest gap": the longest time between two acknowledged writes, from the last one before the fault until the cluster settled — what a client sees.',
    'For the orchestrator faults the fault is the kill of the orchestrator running the election (held open by a frozen standby pooler, thawed at the kill); "takeover" is from the kill to the next rule serving.',
    '',
    '| fault | runs | first ack median / max ms | longest gap median / max ms | takeover median / max ms |',
    '| --- | --- | --- | --- | --- |',
  ];
  const stat = (values: number[]): string => {
    if (values.length === 0) return '–';
    const sorted = [...values].sort((a, b) => a - b);
    return `${sorted[Math.floor(sorted.length / 2)]} / ${sorted.at(-1)}`;
  };
  for (const [fault, measures] of results) {
    const takeovers = measures.flatMap((measure) => (measure.takeoverMs !== undefined ? [measure.takeoverMs] : []));
    lines.push(`| ${fault} | ${measures.length} | ${stat(measures.map((m) => m.firstAckMs))} | ${stat(measures.map((m) => m.longestGapMs))} | ${stat(takeovers)} |`);
  }
  return `${lines.join('\n')}\n`;
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});

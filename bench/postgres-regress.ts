/**
 * `npm run bench:regress`: PostgreSQL's own regression suite (parallel schedule, 217 tests in
 * PostgreSQL 15) against the endpoints of the default local cluster — the primary's Postgres
 * itself (direct), the primary zone's gateway (one hop: it serves its co-located Postgres from
 * its own pool), another zone's gateway (two hops: the link, then the primary's pooler), and
 * PgBouncer 1.18 in transaction mode on the primary's socket (the reference; and in session
 * mode, what a pooler that only reuses server connections changes). Each run gets a
 * fresh cluster, so no run inherits what an earlier one left behind. Writes the counts, the
 * failing tests and the head of each one's diff (of runs with at most 30 failures) to
 * bench/results/postgres-regress.md, and each run's pg_regress output to
 * bench/results/postgres-regress/.
 *
 * The clusters run with the standbys' hot_standby_feedback off (regressClusterSpec says why);
 * REGRESS_HOT_STANDBY_FEEDBACK=on keeps Polygres' default (and writes
 * postgres-regress-hot-standby-feedback.md and its directory instead). REGRESS_RUNS (default 1) repeats
 * every endpoint; REGRESS_TARGETS (default all: direct,one-hop,two-hops,pgbouncer,pgbouncer-session) picks some.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { SUPERUSER } from '../runtime/src/deployment/secrets';
import { type LocalCluster, startLocalCluster } from '../test/support/local-cluster';
import { startPgBouncer, superuserVerifier } from '../test/support/pgbouncer';
import { type RegressResult, describeRegressResult, prepareRegressSuite, regressClusterSpec, runPostgresRegress } from '../test/support/postgres-regress';

const TARGETS = ['direct', 'one-hop', 'two-hops', 'pgbouncer', 'pgbouncer-session'] as const;
type TargetName = (typeof TARGETS)[number];
const RUNS = Number(process.env.REGRESS_RUNS ?? 1);
const CHOSEN = (process.env.REGRESS_TARGETS?.split(',') ?? TARGETS) as TargetName[];
/** REGRESS_HOT_STANDBY_FEEDBACK=on runs the default cluster as is (see regressClusterSpec). */
const FEEDBACK = process.env.REGRESS_HOT_STANDBY_FEEDBACK === 'on';

/** The report, and pg_regress's output of every run (whole, the diffs run to megabytes). */
const REPORT = join(__dirname, 'results', FEEDBACK ? 'postgres-regress-hot-standby-feedback' : 'postgres-regress');

const LABELS: Record<TargetName, string> = {
  direct: 'direct Postgres (the primary)',
  'one-hop': "Polygres, one hop (the primary zone's gateway)",
  'two-hops': "Polygres, two hops (another zone's gateway, link, the primary's pooler)",
  pgbouncer: 'PgBouncer 1.18, transaction mode, pool size 20',
  'pgbouncer-session': 'PgBouncer 1.18, session mode, pool size 20',
};

async function main(): Promise<void> {
  const suite = prepareRegressSuite();
  const root = mkdtempSync(join(tmpdir(), 'polygres-regress-'));
  chmodSync(root, 0o755);
  const results = new Map<TargetName, RegressResult[]>();
  try {
    for (let run = 1; run <= RUNS; run++) {
      for (const target of CHOSEN) {
        const result = await runAgainst(target, suite, join(root, `${target}-${run}`));
        mkdirSync(REPORT, { recursive: true });
        writeFileSync(join(REPORT, `${target}-${run}.out`), result.output);
        process.stdout.write(`${LABELS[target]}, run ${run}: ${describeRegressResult(result, 10)}\n\n`);
        results.set(target, [...(results.get(target) ?? []), result]);
      }
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  const report = [
    '# PostgreSQL regression suite through each endpoint',
    '',
    `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${new Date().toISOString()}.`,
    `pg_regress of the installed PostgreSQL 15 (scripts/postgres-regress-sources.sh), parallel schedule, \`--max-concurrent-tests=20\`, as \`make installcheck-parallel\`: it drops and creates \`regression\` through the endpoint. One fresh default local cluster (3 zones, atLeast(2)) per run, ${FEEDBACK ? 'as is (hot_standby_feedback on)' : 'with hot_standby_feedback off (see regressClusterSpec in test/support/postgres-regress.ts)'}. No TLS (PGSSLMODE=disable).`,
    '',
    '| endpoint | passed per run | failed |',
    '| --- | --- | --- |',
    ...[...results].map(([target, runs]) => `| ${LABELS[target]} | ${runs.map((r) => `${r.passed}/${r.total}`).join(', ')} | ${[...new Set(runs.flatMap((r) => r.failed))].join(', ') || '-'} |`),
    '',
    ...[...results].flatMap(([target, runs]) =>
      runs.flatMap((result, index) => (result.failed.length + result.missing.length === 0 ? [] : [`## ${LABELS[target]}, run ${index + 1}`, '', '```', describeRegressResult(result, result.failed.length > 30 ? 0 : 30).replaceAll(result.outDir, '<out>'), '```', ''])),
    ),
  ].join('\n');
  mkdirSync(join(__dirname, 'results'), { recursive: true });
  writeFileSync(`${REPORT}.md`, report);
}

async function runAgainst(target: TargetName, suite: ReturnType<typeof prepareRegressSuite>, dir: string): Promise<RegressResult> {
  mkdirSync(dir, { mode: 0o755 });
  const cluster = await startLocalCluster(dir, FEEDBACK ? undefined : regressClusterSpec());
  let stopBouncer = () => {};
  try {
    const port = await portOf(cluster, target, dir, (stop) => (stopBouncer = stop));
    return await runPostgresRegress(suite, { host: '127.0.0.1', port, user: SUPERUSER, password: cluster.secrets.superuserPassword }, join(dir, 'regress'));
  } finally {
    stopBouncer();
    await cluster.stop();
  }
}

async function portOf(cluster: LocalCluster, target: TargetName, dir: string, onBouncer: (stop: () => void) => void): Promise<number> {
  const status = await cluster.statusNow();
  const primary = cluster.layout.instances.find((instance) => instance.name === status.primary);
  if (!primary) throw new Error(`no primary in the cluster status: ${JSON.stringify(status.instances)}`);
  switch (target) {
    case 'direct':
      return primary.port;
    case 'one-hop':
      return cluster.layout.gateways.find((gateway) => gateway.zone === primary.zone)!.port;
    case 'two-hops':
      return cluster.layout.gateways.find((gateway) => gateway.zone !== primary.zone)!.port;
    case 'pgbouncer':
    case 'pgbouncer-session': {
      const bouncer = await startPgBouncer(join(dir, 'pgbouncer'), {
        server: `host=${primary.socketDir} port=${primary.port}`,
        secret: await superuserVerifier(cluster, primary.port),
        poolMode: target === 'pgbouncer' ? 'transaction' : 'session',
        // pg_regress sends PGOPTIONS="-c intervalstyle=postgres_verbose", and PgBouncer 1.18
        // refuses a startup packet with `options` unless told to drop it.
        ignoreStartupParameters: ['options'],
      });
      // What a PgBouncer user does instead: the role's default, which every server connection
      // starts with (RESET included), as the option would have been. Without it, 61/217 in
      // transaction mode and 203/217 in session mode: every test printing an interval fails.
      await cluster.query(`ALTER ROLE ${SUPERUSER} SET intervalstyle = 'postgres_verbose'`, primary.port);
      onBouncer(() => bouncer.process.kill('SIGTERM'));
      return bouncer.port;
    }
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});

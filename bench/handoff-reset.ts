/**
 * `npm run bench:handoff`: what the hand-off reset costs Postgres, statement by statement.
 * pgbench's select-only transaction against the primary directly, alone and with the reset
 * (runtime/src/session/handoff-reset.ts) in the same Query — all of it, then each statement
 * on its own — the two shapes of a hand-off with a replay, and then select-only through the primary zone's gateway, where every
 * transaction is a hand-off (50 clients, a pool of 20). Writes bench/results/handoff-reset.md.
 *
 * BENCH_SECONDS (default 10) sets each run's length; BENCH_ROUNDS (default 2) how many times
 * each variant runs (the table shows the mean).
 */
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { KEEPING_STATEMENTS } from '../runtime/src/session/handoff-reset';
import { startLocalCluster } from '../test/support/local-cluster';

const run = promisify(execFile);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const PGBENCH = '/usr/lib/postgresql/15/bin/pgbench';
const SELECT = 'SELECT abalance FROM pgbench_accounts WHERE aid = :aid;';
const REPLAY = "SET application_name = 'pgbench'";

async function main(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'polygres-bench-'));
  chmodSync(root, 0o755);
  const cluster = await startLocalCluster(root);
  try {
    const status = await cluster.statusNow();
    const primary = cluster.layout.instances.find((instance) => instance.name === status.primary)!;
    const gateway = cluster.layout.gateways.find((candidate) => candidate.zone === primary.zone)!;
    const env = { ...process.env, PGPASSWORD: cluster.secrets.superuserPassword, PGUSER: 'postgres', PGHOST: '127.0.0.1', PGDATABASE: 'postgres', PGSSLMODE: 'disable' };
    await run(PGBENCH, ['-i', '-s', '10', '-p', String(primary.port), '-q'], { env });

    /** A pgbench script: the account's random id, then one Query per line. */
    const queries = (name: string, lines: readonly string[]) => {
      const file = join(root, `${name}.sql`);
      writeFileSync(file, `\\set aid random(1, 100000 * :scale)\n${lines.join('\n')}\n`);
      return file;
    };
    /** A `; `-separated list as one Query's line: `\;` keeps pgbench from splitting it. */
    const oneQuery = (statements: string) => statements.split('; ').join('\\; ');
    /** The SELECT alone, or in one Query behind `prefix`. */
    const script = (name: string, prefix: string) => queries(name, [prefix ? oneQuery(`${prefix}; ${SELECT}`) : SELECT]);
    const variants: Array<{ label: string; port: number; args: string[] }> = [
      { label: 'direct: the statement alone', port: primary.port, args: ['-f', script('alone', '')] },
      { label: 'direct: the whole reset in its Query', port: primary.port, args: ['-f', script('all', KEEPING_STATEMENTS)] },
      ...KEEPING_STATEMENTS.split('; ').map((statement, index) => ({ label: `direct: \`${statement}\` in its Query`, port: primary.port, args: ['-f', script(`one-${index}`, statement)] })),
      // The two shapes a hand-off with a replay has had, each Query a round trip here (the
      // gateway sends them in one write): the list and the replay in one Query, then the
      // SELECT; DISCARD ALL, the replay and the SELECT as three Queries.
      { label: 'direct: the list and the replay in one Query, then the SELECT', port: primary.port, args: ['-f', queries('list-replay', [`${oneQuery(`${KEEPING_STATEMENTS}; ${REPLAY}`)};`, SELECT])] },
      { label: 'direct: `DISCARD ALL`, the replay, the SELECT (three Queries)', port: primary.port, args: ['-f', queries('discard-replay', ['DISCARD ALL;', `${REPLAY};`, SELECT])] },
      { label: 'gateway, simple protocol (every transaction a hand-off)', port: gateway.port, args: ['-S', '-M', 'simple'] },
      { label: 'gateway, prepared protocol (every transaction a hand-off)', port: gateway.port, args: ['-S', '-M', 'prepared'] },
    ];
    const rows = ['| variant | tps (mean) | runs |', '| --- | --- | --- |'];
    for (const variant of variants) {
      const runs: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const { stdout } = await run(PGBENCH, ['-p', String(variant.port), '-n', '-c', '50', '-j', '2', '-T', String(SECONDS), ...variant.args], { env, timeout: (SECONDS + 60) * 1000 });
        runs.push(Number(/tps = ([\d.]+)/.exec(stdout)?.[1] ?? 0));
      }
      const mean = runs.reduce((sum, tps) => sum + tps, 0) / runs.length;
      const line = `| ${variant.label} | ${mean.toFixed(0)} | ${runs.map((tps) => tps.toFixed(0)).join(', ')} |`;
      process.stdout.write(`${line}\n`);
      rows.push(line);
    }
    const report = [
      '# What the hand-off reset costs',
      '',
      `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${new Date().toISOString()}.`,
      `pgbench select-only transaction, 50 clients, ${SECONDS} s per run, scale 10, default local cluster, no TLS.`,
      "\"direct\" runs against the primary's Postgres port with a script whose one Query is the reset statements and then the SELECT;",
      'the gateway rows are what a client sees: each transaction gets a connection another session used last, so it carries the reset and the replay of the session\'s settings (application_name) in the write of its statement —',
      'simple protocol: `DISCARD ALL` as a Query of its own, then the replay (the connection keeps no statement of the pooler); prepared: the list that keeps the pooler\'s statements and the replay in one Query.',
      '',
      ...rows,
      '',
    ].join('\n');
    mkdirSync(join(__dirname, 'results'), { recursive: true });
    writeFileSync(join(__dirname, 'results', 'handoff-reset.md'), report);
  } finally {
    await cluster.stop();
    rmSync(root, { recursive: true, force: true });
  }
}

void main();

/**
 * PostgreSQL's own regression suite (src/test/regress, the parallel schedule) run against an
 * endpoint — Postgres itself, a Polygres gateway, PgBouncer — as `make installcheck-parallel`
 * runs it: pg_regress drops and creates the database `regression` through the endpoint, then
 * runs up to 20 psql sessions at a time. The suite comes from
 * scripts/postgres-regress-sources.sh (the installed version's sources and C functions).
 */
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, chownSync, cpSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { postgresOsUser } from '../../runtime/src/deployment/os-user';
import { postgresBinDir } from '../../runtime/src/postgres/postgres-binaries';
import { defaultSpec } from '../../runtime/src/spec/defaults';
import type { ClusterSpecInput } from '../../runtime/src/spec/schema';

const SOURCES_SCRIPT = resolve(__dirname, '..', '..', 'scripts', 'postgres-regress-sources.sh');
/** pg_regress ships in postgresql-client-15, in the PGXS tree. */
const PG_REGRESS = '/usr/lib/postgresql/15/lib/pgxs/src/test/regress/pg_regress';

export interface RegressSuite {
  /** src/test/regress of the installed version: sql/, expected/, data/, parallel_schedule. */
  readonly regressDir: string;
  /** regress.so, autoinc.so, refint.so. */
  readonly libDir: string;
  /** How many tests the parallel schedule runs (217 in PostgreSQL 15). */
  readonly total: number;
}

export interface RegressEndpoint {
  readonly host: string;
  readonly port: number;
  /** A superuser: the suite creates roles, databases, C functions. */
  readonly user: string;
  readonly password: string;
  /** libpq's sslmode; `disable` by default (PgBouncer and Postgres' TCP port here offer no TLS). */
  readonly sslmode?: string;
}

export interface RegressResult {
  readonly passed: number;
  readonly total: number;
  /** Tests pg_regress reported as failed, in the order it ran them. */
  readonly failed: readonly string[];
  /** Tests of the schedule pg_regress never reported (it stopped early). */
  readonly missing: readonly string[];
  /** regression.diffs, empty when every test passed. */
  readonly diffs: string;
  /** pg_regress's own output. */
  readonly output: string;
  readonly outDir: string;
  readonly seconds: number;
}

/**
 * The default local cluster with the standbys' hot_standby_feedback off. With it on (Polygres'
 * default), a standby's xmin, reported once a second, holds back the primary's VACUUM horizon:
 * test_setup's `VACUUM ANALYZE tenk1` then cannot mark the freshly loaded pages all-visible,
 * index-only scans cost more, and create_index gets other plans — through any client, Postgres
 * itself included (measured: 3 of 3 direct runs with it on fail create_index, 0 of 3 with it
 * off). The suite measures what a pooler changes, so the cluster leaves that out.
 */
export function regressClusterSpec(): ClusterSpecInput {
  const spec = JSON.parse(JSON.stringify(defaultSpec())) as ClusterSpecInput;
  return { ...spec, postgres: { ...spec.postgres, parameters: { ...spec.postgres?.parameters, hot_standby_feedback: false } } };
}

/** Fetches and builds the suite when the cache lacks it (the script is a no-op otherwise). */
export function prepareRegressSuite(): RegressSuite {
  const printed = execFileSync('bash', [SOURCES_SCRIPT], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 600_000 });
  const dir = printed.trim().split('\n').pop()!;
  const regressDir = join(dir, 'regress');
  return { regressDir, libDir: join(dir, 'lib'), total: scheduledTests(join(regressDir, 'parallel_schedule')).length };
}

/** The test names of a schedule file, in order. */
export function scheduledTests(schedule: string): string[] {
  return readFileSync(schedule, 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('test:'))
    .flatMap((line) => line.slice('test:'.length).trim().split(/\s+/));
}

/**
 * Runs the parallel schedule against `endpoint`, in `outDir` (created). Postgres reads the
 * suite's data files and C libraries and writes some results itself, as its own OS user: the
 * suite is copied into `outDir`, which must be reachable by that user (the test root is).
 */
export async function runPostgresRegress(suite: RegressSuite, endpoint: RegressEndpoint, outDir: string, timeoutMs = 20 * 60_000): Promise<RegressResult> {
  const inputDir = join(outDir, 'input');
  const libDir = join(outDir, 'lib');
  mkdirSync(outDir, { recursive: true });
  chmodSync(outDir, 0o755); // mkdtemp makes it 0700
  for (const entry of ['sql', 'expected', 'data', 'parallel_schedule', 'resultmap']) cpSync(join(suite.regressDir, entry), join(inputDir, entry), { recursive: true });
  cpSync(suite.libDir, libDir, { recursive: true });
  // copy, misc and largeobject write files server-side into <outputdir>/results.
  mkdirSync(join(outDir, 'results'), { mode: 0o755 });
  const osUser = postgresOsUser();
  if (osUser) chownSync(join(outDir, 'results'), osUser.uid, osUser.gid);

  const args = [
    `--inputdir=${inputDir}`,
    `--outputdir=${outDir}`,
    `--bindir=${postgresBinDir()}`,
    `--dlpath=${libDir}`,
    `--schedule=${join(inputDir, 'parallel_schedule')}`,
    // What `make installcheck-parallel` passes: a whole parallel group at once.
    '--max-concurrent-tests=20',
    `--host=${endpoint.host}`,
    `--port=${endpoint.port}`,
    `--user=${endpoint.user}`,
  ];
  const env = { ...process.env, PGPASSWORD: endpoint.password, PGSSLMODE: endpoint.sslmode ?? 'disable', PGAPPNAME: 'pg_regress' };
  const started = Date.now();
  const output = await new Promise<string>((resolvePromise, reject) => {
    const child = spawn(PG_REGRESS, args, { cwd: outDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    // pg_regress exits 1 when a test fails: the result is read from its output either way.
    child.on('close', () => {
      clearTimeout(timer);
      resolvePromise(text);
    });
  });
  return parseRegressRun(suite, output, outDir, (Date.now() - started) / 1000);
}

function parseRegressRun(suite: RegressSuite, output: string, outDir: string, seconds: number): RegressResult {
  // "test tablespace ... ok 512 ms", "     boolean ... FAILED 80 ms", "... failed (ignored)".
  const outcomes = new Map<string, boolean>();
  for (const match of output.matchAll(/^\s*(?:test\s+)?(\S+)\s+\.\.\.\s+(ok|FAILED|failed)/gm)) outcomes.set(match[1]!, match[2] === 'ok');
  const scheduled = scheduledTests(join(outDir, 'input', 'parallel_schedule'));
  const diffsFile = join(outDir, 'regression.diffs');
  return {
    passed: [...outcomes.values()].filter(Boolean).length,
    total: suite.total,
    failed: [...outcomes].filter(([, ok]) => !ok).map(([name]) => name),
    missing: scheduled.filter((name) => !outcomes.has(name)),
    diffs: existsSync(diffsFile) ? readFileSync(diffsFile, 'utf8') : '',
    output,
    outDir,
    seconds,
  };
}

/** The diff of each failed test, split out of regression.diffs. */
export function diffsByTest(diffs: string): Map<string, string> {
  const byTest = new Map<string, string>();
  for (const part of diffs.split(/^(?=diff )/m)) {
    const name = /\/results\/(\S+)\.out\s/.exec(part)?.[1];
    if (name) byTest.set(name, (byTest.get(name) ?? '') + part);
  }
  return byTest;
}

/**
 * Is a failed test's diff the saturated pool's currval limit and nothing else
 * (docs/COMPATIBILITY.md)? A column default called currval() after the nextval() of the
 * session's previous statement, which ran on another server connection: the pool was full and
 * a waiting session took the connection in between. Every line the run printed in place of the
 * expected output is that error or a row count (the rows its failed INSERT did not add), and
 * at least one is the error; any other difference is a failure like any other.
 */
export function onlyTheCurrvalLimit(diff: string): boolean {
  const printed = diff.split('\n').filter((line) => line.startsWith('+') && !line.startsWith('+++'));
  return printed.some((line) => CURRVAL_LIMIT.test(line)) && printed.every((line) => CURRVAL_LIMIT.test(line) || ROW_COUNT.test(line));
}

const CURRVAL_LIMIT = /^\+ERROR: {2}currval of sequence "[^"]+" is not yet defined in this session$/;
const ROW_COUNT = /^\+\(\d+ rows?\)$/;

/** `N/217 passed`, the failing tests, and the head of each one's diff (none with 0 lines). */
export function describeRegressResult(result: RegressResult, linesPerDiff = 25): string {
  const lines = [`${result.passed}/${result.total} passed in ${result.seconds.toFixed(0)} s (${result.outDir})`];
  if (result.failed.length > 0) lines.push(`failed: ${result.failed.join(', ')}`);
  if (result.missing.length > 0) lines.push(`never ran: ${result.missing.join(', ')}`, '', result.output.split('\n').slice(-30).join('\n'));
  for (const [name, diff] of linesPerDiff > 0 ? diffsByTest(result.diffs) : []) {
    // The two header lines name the files; the hunks follow.
    lines.push('', `--- ${name}`, ...diff.split('\n').slice(3, 3 + linesPerDiff));
  }
  return lines.join('\n');
}

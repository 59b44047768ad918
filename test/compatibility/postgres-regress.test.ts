/**
 * PostgreSQL's own regression suite (src/test/regress of the installed postgresql-15, parallel
 * schedule, 217 tests) through the gateways of a real local cluster, as `make
 * installcheck-parallel` runs it against a server: through the primary zone's gateway (one
 * hop: its own pool to the co-located Postgres) and through another zone's gateway (two hops:
 * the link, then the primary's pooler). Each runs on a fresh cluster, so neither inherits what
 * the other left behind. The suite's sources and C functions come from
 * scripts/postgres-regress-sources.sh (which .ci/run runs; the set-up runs it again, a no-op
 * once its cache is complete). Postgres itself passes 217/217 on the same cluster; the numbers
 * and what fails, with PgBouncer as the reference, are in docs/COMPATIBILITY.md.
 */
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { SUPERUSER } from '../../runtime/src/deployment/secrets';
import { startLocalCluster } from '../support/local-cluster';
import { type RegressSuite, describeRegressResult, diffsByTest, onlyTheCurrvalLimit, prepareRegressSuite, regressClusterSpec, runPostgresRegress } from '../support/postgres-regress';

/**
 * The fewest tests each gateway must pass: the lowest count measured today (2026-12-01, 10
 * runs: 211/217 in 8, 210/217 in 2). Always failing: date, timestamp, timestamptz, horology
 * and guc (RESET DateStyle restores the server connection's default, not the client's
 * startup value) and stats (backend-local session counters). Sometimes failing, one at a
 * time so far: constraints (currval after a nextval on another server connection), psql
 * (\gdesc's unnamed statement gone on another server connection), temp (a reused backend
 * already has its temporary schema). The target rises to 216 (issue 20's acceptance: only
 * `stats` may fail) when the session-state fixes land. A test whose only difference is the
 * saturated pool's currval limit (onlyTheCurrvalLimit: `constraints`, in about one run in three
 * by 2026-12-04, when the suite's sessions fill the pool of 20 and wait for it) counts as
 * passed and is named in the output: the limit is documented, and what else the test printed
 * must still match.
 */
const TARGET = 216;

describe('PostgreSQL regression suite through the gateways', () => {
  let suite: RegressSuite;
  beforeAll(() => {
    suite = prepareRegressSuite();
  }, 600_000);

  for (const hops of ['one hop', 'two hops'] as const) {
    it(`passes at least ${TARGET} of the suite's tests through ${hops}`, async () => {
      const root = inject('testRoot');
      const cluster = await startLocalCluster(root, regressClusterSpec());
      try {
        const status = await cluster.statusNow();
        const primary = cluster.layout.instances.find((instance) => instance.name === status.primary)!;
        const gateway = cluster.layout.gateways.find((candidate) => (hops === 'one hop' ? candidate.zone === primary.zone : candidate.zone !== primary.zone))!;
        const result = await runPostgresRegress(
          suite,
          { host: '127.0.0.1', port: gateway.port, user: SUPERUSER, password: cluster.secrets.superuserPassword },
          mkdtempSync(join(root, `regress-${hops.replace(' ', '-')}-`)),
          15 * 60_000,
        );
        const report = describeRegressResult(result);
        const diffs = diffsByTest(result.diffs);
        const limited = result.failed.filter((name) => onlyTheCurrvalLimit(diffs.get(name) ?? ''));
        const passed = result.passed + limited.length;
        process.stdout.write(`${hops} (gateway ${gateway.zone}, primary ${primary.name}): ${passed >= TARGET ? report.split('\n').slice(0, 2).join('\n') : report}\n`);
        if (limited.length > 0) process.stdout.write(`${hops}: ${limited.join(', ')} differed only by the saturated pool's currval limit (docs/COMPATIBILITY.md): counted as passed\n`);
        expect(passed, report).toBeGreaterThanOrEqual(TARGET);
      } finally {
        await cluster.stop();
      }
    }, 900_000);
  }
});

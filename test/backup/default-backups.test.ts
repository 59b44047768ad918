/**
 * Backups out of the box, on the quick-start cluster (the default spec, no backup section
 * written by anyone): `polygres backup` works right after `up`, even while the automatic
 * first full backup still runs; WAL is archived within archive_timeout and status shows how
 * old the newest archived segment is; a restore to a moment a few seconds ago, from the
 * running cluster, needs no manual WAL switch and gives exactly the rows written before it.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { waitFor } from '../../runtime/src/util/net';
import { listBackups } from '../support/backups';
import { type LocalCluster, localClusterAt, startLocalCluster } from '../support/local-cluster';
import { polygres } from '../support/polygres-cli';
import { claimPortBlock } from '../support/ports';

describe('backups on the quick-start cluster', () => {
  let cluster: LocalCluster;

  beforeAll(async () => {
    cluster = await startLocalCluster(inject('testRoot'));
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('takes backups right after up, two at once waiting their turn, into a repository inside the state directory', async () => {
    const [first, second] = await Promise.all([
      polygres(['backup', '--state-dir', cluster.stateDir]),
      polygres(['backup', '--type', 'incr', '--state-dir', cluster.stateDir]),
    ]);
    expect(first.stderr).toBe('');
    expect(second.stderr).toBe('');
    expect([first.code, second.code]).toEqual([0, 0]);
    expect(first.stdout).toMatch(/Taking a full backup from zone-[abc]-0\.\.\.\n[\s\S]*\d{8}-\d{6}F\s+full/);
    // An incremental backup that runs before any full one is taken as a full one by pgBackRest.
    expect(second.stdout).toMatch(/\d{8}-\d{6}F(_\d{8}-\d{6}I\s+incr|\s+full)/);
    const labelOf = (output: string) => /^(\d{8}-\d{6}F\S*)\s/m.exec(output)?.[1];
    const { backups } = await listBackups(cluster.stateDir);
    const labels = backups.map((backup) => backup.label);
    // Retention keeps two full backups, and the automatic first one ran too: of the three, the
    // oldest may already be expired — only ever in favour of two newer full backups.
    const fulls = labels.filter((label) => /^\d{8}-\d{6}F$/.test(label));
    for (const label of [labelOf(first.stdout)!, labelOf(second.stdout)!]) {
      if (!labels.includes(label)) expect(fulls.filter((full) => full > label.slice(0, 16)).length, `${label} is gone without two newer full backups`).toBeGreaterThanOrEqual(2);
    }
    expect([labelOf(first.stdout), labelOf(second.stdout)].filter((label) => labels.includes(label!)).length).toBeGreaterThanOrEqual(1);
    expect(existsSync(join(cluster.stateDir, 'backup', 'repository', 'backup', 'local-0-inf', 'backup.info'))).toBe(true);
  });

  it('archives WAL within a minute, and status says how old the newest archived segment is', async () => {
    const [setting] = await cluster.query<{ archive_timeout: string }>('SHOW archive_timeout');
    expect(setting?.archive_timeout).toBe('1min');
    const text = await waitFor('an archived segment in status', async () => {
      const result = await polygres(['status', '--state-dir', cluster.stateDir]);
      return /archive: last WAL segment archived \d+ s ago/.test(result.stdout) ? result.stdout : undefined;
    }, { timeoutMs: 90_000, intervalMs: 1_000 });
    expect(text).toContain('a restore reaches up to there');
    const status = await cluster.status();
    expect(status.archive?.lastArchivedAt).toBeTruthy();
    expect(status.archive?.ageSeconds).toBeGreaterThanOrEqual(0);
  });

  it('restores to a moment a few seconds ago with exactly the rows written before it, no manual WAL switch', async () => {
    await cluster.query('CREATE TABLE quick (id int PRIMARY KEY, phase text NOT NULL)');
    await cluster.query(`INSERT INTO quick SELECT g, 'before' FROM generate_series(1, 50) g`);
    const [{ noted }] = (await cluster.query<{ noted: string }>(`SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || '+00' AS noted`)) as [{ noted: string }];
    await cluster.query(`INSERT INTO quick SELECT g, 'after' FROM generate_series(51, 80) g`);

    const block = await claimPortBlock();
    const stateDir = join(inject('testRoot'), `quick-restored-${Date.now()}`);
    const result = await polygres(['restore', '--from-state-dir', cluster.stateDir, '--state-dir', stateDir, '--base-port', String(block.base), '--detach', '--target-time', noted]);
    if (result.code !== 0) block.release();
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/The source's WAL is archived up to now \(segment [0-9A-F]{24}\)/);
    const restored = localClusterAt(stateDir, block, result.stdout);
    try {
      const rows = await restored.query<{ phase: string; n: string }>('SELECT phase, count(*) AS n FROM quick GROUP BY phase');
      expect(rows).toEqual([{ phase: 'before', n: '50' }]);
    } finally {
      await restored.stop();
    }
    const source = await cluster.query<{ n: string }>('SELECT count(*) AS n FROM quick');
    expect(source[0]?.n).toBe('80');
  });
});

/**
 * Backups with the real pgBackRest and a posix repository: the stanza is created when the
 * primary serves, WAL is archived, `polygres backup` takes a full backup from a standby,
 * `polygres backups` lists it with its WAL range, archiving continues on the new primary after
 * a switchover with no gap (`polygres backup --verify`).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { defaultSpec } from '../../runtime/src/spec/defaults';
import { waitFor } from '../../runtime/src/util/net';
import { type LocalCluster, startLocalCluster } from '../support/local-cluster';
import { archiveCurrentWal, listBackups, rebuildStandbyFromBackup } from '../support/backups';
import { killPostgres } from '../support/faults';
import { polygres } from '../support/polygres-cli';

describe('backups with pgBackRest', () => {
  let cluster: LocalCluster;

  const backups = () => listBackups(cluster.stateDir);

  beforeAll(async () => {
    const root = inject('testRoot');
    cluster = await startLocalCluster(root, {
      ...JSON.parse(JSON.stringify(defaultSpec())),
      backup: { repositories: [{ type: 'posix', path: join(root, `repo-${Date.now()}`) }] },
    });
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('creates the stanza and archives WAL once the primary serves', async () => {
    await waitFor('the stanza', async () => ((await backups()).status !== 'missing stanza path' ? true : undefined), { timeoutMs: 60_000, intervalMs: 500 });
    await cluster.query('CREATE TABLE kept (id int)');
    await cluster.query('SELECT pg_switch_wal()');
    const info = await waitFor('archived WAL', async () => ((await backups()).walMax ? backups() : undefined), { timeoutMs: 60_000, intervalMs: 500 });
    expect(info.walMin).toMatch(/^[0-9A-F]{24}$/);
  });

  it('takes the first full backup by itself once the cluster is up, and records it', async () => {
    const info = await waitFor('the first full backup', async () => ((await backups()).backups.length > 0 ? backups() : undefined), { timeoutMs: 120_000, intervalMs: 1_000 });
    expect(info.backups[0]).toMatchObject({ type: 'full', label: expect.stringMatching(/F$/) });
    expect(info.backups[0]!.walStart).toMatch(/^[0-9A-F]{24}$/);
    const history = await waitFor('the backup in history', async () => {
      const entries = JSON.parse((await polygres(['history', '--json', '--state-dir', cluster.stateDir])).stdout) as { action: string; outcome: string }[];
      return entries.some((entry) => entry.action === 'backup-full' && entry.outcome === 'done') ? entries : undefined;
    }, { timeoutMs: 30_000, intervalMs: 500 });
    expect(history.length).toBeGreaterThan(0);
  });

  it('takes a differential backup on demand from a standby and lists it', async () => {
    await cluster.query('INSERT INTO kept SELECT generate_series(1, 1000)');
    const result = await polygres(['backup', '--type', 'diff', '--state-dir', cluster.stateDir]);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/Taking a diff backup from zone-[bc]-0/);
    const info = await backups();
    expect(info.backups.map((backup) => backup.type)).toEqual(['full', 'diff']);
    expect(info.backups[1]!.label).toMatch(/D$/);
    const table = await polygres(['backups', '--state-dir', cluster.stateDir]);
    expect(table.stdout).toContain(info.backups[1]!.label);
  });

  it('rebuilds a standby whose data directory was deleted from the latest backup, then streams', async () => {
    const standby = await rebuildStandbyFromBackup(cluster, () => cluster.query('INSERT INTO kept VALUES (424242)'));
    expect(standby.logSinceRestore).not.toContain('restoring from backup failed');
    expect(standby.logSinceRestore).not.toContain('cloning a standby (pg_basebackup)');
    const rows = await waitFor('the new row on the restored standby', async () => {
      const found = await cluster.query<{ n: string }>('SELECT count(*) AS n FROM kept WHERE id = 424242', standby.port);
      return found[0]!.n === '1' ? found : undefined;
    }, { timeoutMs: 30_000, intervalMs: 200 });
    expect(rows).toEqual([{ n: '1' }]);
  });

  it('keeps archiving on the new primary after a switchover, without a gap', async () => {
    const before = (await backups()).walMax!;
    expect((await polygres(['switchover', '--yes', '--state-dir', cluster.stateDir])).stderr).toBe('');
    await cluster.query('INSERT INTO kept VALUES (-1)');
    await cluster.query('SELECT pg_switch_wal()');
    await waitFor('WAL archived by the new primary', async () => ((await backups()).walMax! > before ? true : undefined), { timeoutMs: 60_000, intervalMs: 500 });
    const verify = await polygres(['backup', '--verify', '--state-dir', cluster.stateDir]);
    expect(verify.stderr).toBe('');
    expect(verify.stdout).toContain('status: ok');
    expect(verify.stdout).not.toMatch(/missing: [1-9]|invalid: [1-9]|other: [1-9]/);
    const [, checked, valid] = /total WAL checked: (\d+), total valid WAL: (\d+)/.exec(verify.stdout) ?? [];
    expect(Number(checked)).toBeGreaterThan(0);
    expect(valid).toBe(checked);
  });
  it('keeps archiving after a failover (kill -9 of the primary), without a gap', async () => {
    const before = await cluster.statusNow();
    const archivedBefore = (await backups()).walMax!;
    killPostgres(cluster, before.primary!);
    await cluster.waitForStatus('a new primary after kill -9', (s) => s.ruleStatus === 'serving' && (s.term ?? 0) > before.term! && s.primary !== before.primary, 60_000);
    await cluster.query('INSERT INTO kept VALUES (-2)');
    const segment = await archiveCurrentWal(cluster);
    expect(segment > archivedBefore).toBe(true);
    const verify = await polygres(['backup', '--verify', '--state-dir', cluster.stateDir]);
    expect(verify.stdout).toContain('status: ok');
    expect(verify.stdout).not.toMatch(/missing: [1-9]|invalid: [1-9]|other: [1-9]/);
  });

  it('expires old backups by the retention (two full backups by default)', async () => {
    const before = await backups();
    const oldestFull = before.backups.find((backup) => backup.type === 'full')!.label;
    for (const type of ['full', 'incr', 'full']) {
      const result = await polygres(['backup', '--type', type, '--state-dir', cluster.stateDir]);
      expect(result.stderr).toBe('');
    }
    const after = await backups();
    expect(after.backups.filter((backup) => backup.type === 'full')).toHaveLength(2);
    expect(after.backups.map((backup) => backup.label)).not.toContain(oldestFull);
    // A differential backup depends on its full backup and goes with it.
    expect(after.backups.some((backup) => backup.label.startsWith(`${oldestFull}_`))).toBe(false);
    expect(after.backups.map((backup) => backup.type)).toEqual(['full', 'incr', 'full']);
  });
});

/**
 * Point-in-time restore with the real pgBackRest and a posix repository: `polygres restore`
 * brings up a new cluster holding exactly the rows committed before the target (a time or a
 * named restore point) while the source keeps running; a non-empty target is refused. Then the
 * repository's health: a failing archive-push shows in `status`, and `polygres backup --verify`
 * reports a corrupted backup file.
 */
import { chmodSync, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { defaultSpec } from '../../runtime/src/spec/defaults';
import { waitFor } from '../../runtime/src/util/net';
import { archiveCurrentWal, listBackups } from '../support/backups';
import { type LocalCluster, settledStatus, startLocalCluster } from '../support/local-cluster';
import { polygres } from '../support/polygres-cli';
import { LEDGER, phasesOf, restoreFrom, serverTime, writePhase } from '../support/restores';

describe('point-in-time restore with pgBackRest', () => {
  let root: string;
  let repository: string;
  let source: LocalCluster;

  const write = (phase: string, from: number) => writePhase(source, phase, from);
  const restore = (name: string, target: string[]) => restoreFrom(source, root, name, target);

  beforeAll(async () => {
    root = inject('testRoot');
    repository = join(root, `repo-${Date.now()}`);
    source = await startLocalCluster(root, {
      ...JSON.parse(JSON.stringify(defaultSpec())),
      name: 'pitr',
      // Encrypted with a generated passphrase: the restored cluster must carry it over.
      backup: { repositories: [{ type: 'posix', path: repository }], encryption: { passphraseSecret: 'pitr-cipher' } },
    });
    await waitFor('the first full backup', async () => ((await listBackups(source.stateDir)).backups.length > 0 ? true : undefined), { timeoutMs: 120_000, intervalMs: 1_000 });
    await source.query(LEDGER);
  });
  afterAll(async () => {
    await source?.stop();
  });

  it('restores to a time into a new cluster with exactly the rows committed before it, while the source keeps running', async () => {
    await write('a', 1);
    const backup = await polygres(['backup', '--type', 'full', '--state-dir', source.stateDir]);
    expect(backup.stderr).toBe('');
    await write('b', 101);
    const noted = await serverTime(source);
    await write('c', 201);
    // No manual WAL switch: restore archives the running source's WAL up to now itself.

    const restored = await restore('pitr-at-time', ['--target-time', noted]);
    try {
      expect(restored.upOutput).toContain('Restoring stanza pitr-0-inf (to time');
      expect(await phasesOf(restored)).toEqual({ a: 100, b: 100 });
      // A cluster of its own: it takes writes, its standbys stream, and it backs up into its own stanza.
      await restored.query(`INSERT INTO ledger VALUES (100000, 'restored')`);
      const status = await restored.waitForStatus('every restored instance streaming', settledStatus, 120_000);
      expect(status.term).toBe(1);
      // The restore opens the new cluster's history, where the status page shows it.
      const history = JSON.parse((await polygres(['history', '--json', '--state-dir', restored.stateDir])).stdout) as { action: string; outcome: string; detail: string }[];
      expect(history.find((entry) => entry.action === 'restore')).toMatchObject({ outcome: 'done', detail: expect.stringMatching(/^restored from pitr, to time /) });
      const own = await waitFor('the restored cluster\'s first backup', async () => {
        const info = await listBackups(restored.stateDir);
        return info.backups.length > 0 ? info : undefined;
      }, { timeoutMs: 120_000, intervalMs: 1_000 });
      expect(own.backups[0]!.type).toBe('full');
      expect(existsSync(join(repository, 'backup', 'pitr-at-time-0-inf'))).toBe(true);
    } finally {
      await restored.stop();
    }
    expect(await phasesOf(source)).toEqual({ a: 100, b: 100, c: 100 });
  });

  it('restores to a named restore point', async () => {
    await write('d', 301);
    await source.query(`SELECT pg_create_restore_point('before-e')`);
    await write('e', 401);
    await archiveCurrentWal(source);
    const restored = await restore('pitr-at-name', ['--target-name', 'before-e']);
    try {
      expect(await phasesOf(restored)).toEqual({ a: 100, b: 100, c: 100, d: 100 });
    } finally {
      await restored.stop();
    }
  });

  it('refuses to restore into a directory that is not empty, and leaves it as it was', async () => {
    const occupied = join(root, 'occupied');
    mkdirSync(occupied, { recursive: true });
    writeFileSync(join(occupied, 'precious.txt'), 'keep me');
    const result = await polygres(['restore', '--from-state-dir', source.stateDir, '--state-dir', occupied, '--name', 'never']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(`refusing to restore into ${occupied}: it is not empty`);
    expect(readdirSync(occupied)).toEqual(['precious.txt']);
    const badTime = await polygres(['restore', '--from-state-dir', source.stateDir, '--state-dir', join(root, 'unused'), '--target-time', 'yesterday']);
    expect(badTime.stderr).toContain('is not a timestamp with a time zone');
    const badName = await polygres(['restore', '--from-state-dir', source.stateDir, '--state-dir', join(root, 'unused'), '--name', 'Not_A_Name']);
    expect(badName.code).not.toBe(0);
    expect(badName.stderr).toContain('--name');
    expect(existsSync(join(root, 'unused'))).toBe(false);
  });

  it('shows failing WAL archiving in status, and clears it once archiving works again', async () => {
    const archive = join(repository, 'archive', 'pitr-0-inf');
    chmodSync(archive, 0o000);
    try {
      await write('f', 501);
      await source.query('SELECT pg_switch_wal()');
      const failing = await source.waitForStatus('archiving reported failing', (s) => s.problems.some((p) => p.includes('WAL archiving is failing')), 120_000);
      expect(failing.problems.join('\n')).toContain(`on ${failing.primary}`);
    } finally {
      chmodSync(archive, 0o750);
    }
    await source.query('SELECT pg_switch_wal()');
    await source.waitForStatus('archiving healthy again', (s) => !s.problems.some((p) => p.includes('WAL archiving is failing')), 120_000);
  });

  it('reports a corrupted backup file with --verify', async () => {
    const clean = await polygres(['backup', '--verify', '--state-dir', source.stateDir]);
    expect(clean.stdout).toContain('status: ok');
    const latest = (await listBackups(source.stateDir)).backups.at(-1)!.label;
    const victim = largestFile(join(repository, 'backup', 'pitr-0-inf', latest, 'pg_data'));
    writeFileSync(victim, Buffer.alloc(statSync(victim).size, 0x5a));
    const verify = await polygres(['backup', '--verify', '--state-dir', source.stateDir]);
    expect(verify.stdout).not.toContain('status: ok');
    expect(verify.stdout).toMatch(/invalid: [1-9]/);
  });
});

function largestFile(dir: string): string {
  let best = { path: '', size: -1 };
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    const size = statSync(path).size;
    if (size > best.size) best = { path, size };
  }
  return best.path;
}

/**
 * An S3 repository end to end, against a real S3-compatible server the test starts (s3rver
 * over HTTPS; pgBackRest verifies its certificate with the authority given as `caFile`): WAL
 * and the first full backup land in the bucket, a standby whose data directory is deleted is
 * rebuilt from the backup there, and a point-in-time restore from the bucket brings up a new
 * cluster with exactly the rows committed before the target time, which then backs up into
 * the same bucket under its own stanza.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { serviceDirOf } from '../../runtime/src/deployment/layout';
import { defaultSpec } from '../../runtime/src/spec/defaults';
import { waitFor } from '../../runtime/src/util/net';
import { archiveCurrentWal, listBackups, rebuildStandbyFromBackup } from '../support/backups';
import { type LocalCluster, startLocalCluster } from '../support/local-cluster';
import { polygres } from '../support/polygres-cli';
import { LEDGER, phasesOf, restoreFrom, serverTime, writePhase } from '../support/restores';
import { type S3Server, startS3Server } from '../support/s3-server';

/** The credentials secret the spec names; the local target reads it from POLYGRES_SECRET_S3_TEST. */
const SECRET = 's3-test';
const SECRET_VARIABLE = 'POLYGRES_SECRET_S3_TEST';

describe('an S3 repository (s3rver over HTTPS)', () => {
  let root: string;
  let s3: S3Server;
  let source: LocalCluster;

  const firstBackup = (cluster: LocalCluster) =>
    waitFor('the first full backup', async () => {
      const info = await listBackups(cluster.stateDir);
      return info.backups.length > 0 ? info : undefined;
    }, { timeoutMs: 120_000, intervalMs: 1_000 });

  beforeAll(async () => {
    root = inject('testRoot');
    s3 = await startS3Server(root);
    // Every polygres command of this file (up, backup, restore) and the services it starts read it.
    process.env[SECRET_VARIABLE] = JSON.stringify(s3.credentials);
    source = await startLocalCluster(root, {
      ...JSON.parse(JSON.stringify(defaultSpec())),
      name: 's3',
      backup: {
        repositories: [{ type: 's3', bucket: s3.bucket, region: 'us-east-1', endpoint: s3.endpoint, uriStyle: 'path', credentialsSecret: SECRET, caFile: s3.caFile }],
      },
    });
    await source.query(LEDGER);
  });
  afterAll(async () => {
    await source?.stop();
    await s3?.stop();
    delete process.env[SECRET_VARIABLE];
  });

  it('archives WAL and takes the first full backup into the bucket, over verified TLS', async () => {
    const conf = readFileSync(join(serviceDirOf(source.layout), 'backup', 'pgbackrest.conf'), 'utf8');
    expect(conf).toContain('repo1-type=s3\n');
    expect(conf).toContain('repo1-s3-key-type=shared\n');
    expect(conf).toContain(`repo1-storage-verify-tls=y\nrepo1-storage-ca-file=${s3.caFile}\n`);

    const info = await firstBackup(source);
    expect(info.backups[0]).toMatchObject({ type: 'full', label: expect.stringMatching(/F$/) });
    const segment = await archiveCurrentWal(source);
    expect(s3.objects(`polygres/backup/s3-0-inf/${info.backups[0]!.label}/`)).toContain(`polygres/backup/s3-0-inf/${info.backups[0]!.label}/backup.manifest`);
    expect(s3.objects('polygres/archive/s3-0-inf/').some((key) => key.includes(`/${segment}-`))).toBe(true);

    const verify = await polygres(['backup', '--verify', '--state-dir', source.stateDir]);
    expect(verify.stderr).toBe('');
    expect(verify.stdout).toContain('status: ok');
    // Every request was signed with the secret's key.
    expect(s3.refusals).toEqual([]);
  });

  it('rebuilds a standby whose data directory was deleted from the backup in the bucket', async () => {
    await firstBackup(source);
    const standby = await rebuildStandbyFromBackup(source, () => writePhase(source, 'rebuilt', 1_000));
    expect(standby.logSinceRestore).not.toContain('restoring from backup failed');
    expect(standby.logSinceRestore).not.toContain('cloning a standby (pg_basebackup)');
    const phases = await waitFor('the new rows on the rebuilt standby', async () => {
      const rows = await source.query<{ n: string }>(`SELECT count(*) AS n FROM ledger WHERE phase = 'rebuilt'`, standby.port);
      return rows[0]!.n === '100' ? rows : undefined;
    }, { timeoutMs: 30_000, intervalMs: 200 });
    expect(phases).toEqual([{ n: '100' }]);
  });

  it('restores to a time between two writes into a new cluster, with exactly the rows before it', async () => {
    await firstBackup(source);
    const before = await phasesOf(source);
    await writePhase(source, 'kept', 2_000);
    const noted = await serverTime(source);
    await writePhase(source, 'after', 3_000);
    await archiveCurrentWal(source);

    const restored = await restoreFrom(source, root, 's3-pitr', ['--target-time', noted]);
    try {
      expect(restored.upOutput).toContain('Restoring stanza s3-0-inf (to time');
      expect(await phasesOf(restored)).toEqual({ ...before, kept: 100 });
      // The new cluster archives and backs up into the same bucket, under its own stanza.
      const own = await firstBackup(restored);
      expect(s3.objects(`polygres/backup/s3-pitr-0-inf/${own.backups[0]!.label}/`)).toContain(`polygres/backup/s3-pitr-0-inf/${own.backups[0]!.label}/backup.manifest`);
    } finally {
      await restored.stop();
    }
    expect(await phasesOf(source)).toEqual({ ...before, kept: 100, after: 100 });
    expect(s3.refusals).toEqual([]);
  });
});

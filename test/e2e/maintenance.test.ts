/**
 * Day-2 maintenance through the real CLI, on one cluster with a writer committing all along:
 * psql with the stored credentials, reload, restarting one standby, a rolling restart (every
 * postmaster replaced, one switchover, no acknowledged write lost), and rebuilding a standby.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { waitFor } from '../../runtime/src/util/net';
import { listBackups } from '../support/backups';
import { postmasterPid } from '../support/faults';
import { verifyLedger } from '../support/ledger-check';
import { LEDGER_DDL, type LedgerWriter, startLedgerWriter } from '../support/ledger-writer';
import { type LocalCluster, startLocalCluster } from '../support/local-cluster';
import { polygres } from '../support/polygres-cli';
import { RuleRecorder } from '../support/rule-recorder';

describe('maintenance commands', () => {
  let cluster: LocalCluster;
  let writer: LedgerWriter;
  let rules: RuleRecorder;
  const pids = () => Object.fromEntries(cluster.layout.instances.map((instance) => [instance.name, postmasterPid(cluster, instance.name)]));

  beforeAll(async () => {
    cluster = await startLocalCluster(inject('testRoot'));
    await cluster.query(LEDGER_DDL);
    rules = await RuleRecorder.start(cluster.layout);
    writer = startLedgerWriter(cluster, 'maintenance-test');
  });
  afterAll(async () => {
    await writer?.stop();
    await rules?.stop();
    await cluster?.stop();
  });

  it('psql connects with the stored credentials, to the primary or a replica', async () => {
    const primary = await polygres(['psql', '--state-dir', cluster.stateDir, '--', '-AtXc', 'SELECT pg_is_in_recovery()']);
    expect(primary).toMatchObject({ code: 0, stdout: 'f\n' });
    const replica = await polygres(['psql', '--replica', '--state-dir', cluster.stateDir, '--', '-AtXc', 'SELECT pg_is_in_recovery()']);
    expect(replica).toMatchObject({ code: 0, stdout: 't\n' });
    const failing = await polygres(['psql', '--state-dir', cluster.stateDir, '--', '-AtXc', 'SELECT * FROM no_such_table']);
    expect(failing.code).not.toBe(0);
  });

  it('reload renders a changed spec into every Postgres without restarting any, and says what waits for a restart', async () => {
    const before = pids();
    const spec = JSON.parse(readFileSync(cluster.layout.specFile, 'utf8')) as { postgres: { parameters: Record<string, string> } };
    spec.postgres.parameters = { ...spec.postgres.parameters, work_mem: '24MB', max_prepared_transactions: '7' };
    writeFileSync(cluster.layout.specFile, JSON.stringify(spec, null, 2));
    const result = await polygres(['reload', '--state-dir', cluster.stateDir]);
    expect(result.stderr).toBe('');
    for (const instance of cluster.layout.instances) expect(result.stdout).toContain(`${instance.name}: reloaded; waiting for a restart: max_prepared_transactions`);
    expect(result.stdout).toContain('polygres restart --rolling');
    const [row] = await cluster.query<{ work_mem: string }>('SHOW work_mem');
    expect(row?.work_mem).toBe('24MB');
    expect(pids()).toEqual(before);
  });

  it('restarts one standby, which streams again', async () => {
    const { primary } = await cluster.statusNow();
    const standby = cluster.layout.instances.find((instance) => instance.name !== primary)!.name;
    const before = pids();
    const result = await polygres(['restart', '--instance', standby, '--state-dir', cluster.stateDir]);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain(`${standby} restarted`);
    const after = pids();
    expect(after[standby]).not.toBe(before[standby]);
    for (const other of cluster.layout.instances.filter((instance) => instance.name !== standby)) expect(after[other.name]).toBe(before[other.name]);
  });

  it('restarts every Postgres in turn, switching over once, and loses no acknowledged write', async () => {
    const before = pids();
    const status = await cluster.statusNow();
    const result = await polygres(['restart', '--rolling', '--yes', '--state-dir', cluster.stateDir]);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain(`Switching over from ${status.primary}`);
    const after = pids();
    for (const instance of cluster.layout.instances) expect(after[instance.name], instance.name).not.toBe(before[instance.name]);
    const [setting] = await cluster.query<{ max_prepared_transactions: string }>('SHOW max_prepared_transactions');
    expect(setting?.max_prepared_transactions).toBe('7');
    const now = await cluster.statusNow();
    expect(now.primary).not.toBe(status.primary);
    expect(now.term).toBeGreaterThan(status.term!);
    await verifyLedger(cluster, [writer], { rules });
  });

  it('rebuilds a standby from the backup, and refuses to rebuild the primary', async () => {
    const { primary } = await cluster.statusNow();
    const refused = await polygres(['reinit', primary!, '--yes', '--state-dir', cluster.stateDir]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('is the primary: switch over first');
    const standby = cluster.layout.instances.find((instance) => instance.name !== primary)!.name;
    // The first full backup (taken on its own after up) is what the standby is rebuilt from.
    await waitFor('the first full backup', async () => ((await listBackups(cluster.stateDir)).backups.length > 0 ? true : undefined), { timeoutMs: 120_000, intervalMs: 1_000 });
    const result = await polygres(['reinit', standby, '--yes', '--state-dir', cluster.stateDir]);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain(`${standby} is rebuilt and streaming`);
    // From the repository (the default spec backs up), not from the primary.
    const log = readFileSync(join(cluster.layout.logDir, `pooler-${standby}.log`), 'utf8');
    expect(log.slice(log.lastIndexOf('reinitializing'))).toContain('restoring a standby from the latest backup (pgBackRest)');
    const [{ count }] = (await cluster.query<{ count: string }>('SELECT count(*) FROM ledger')) as [{ count: string }];
    const rebuilt = cluster.layout.instances.find((instance) => instance.name === standby)!;
    const onStandby = await cluster.query<{ count: string }>('SELECT count(*) FROM ledger', rebuilt.port);
    expect(Number(onStandby[0]?.count)).toBeGreaterThan(0);
    expect(Number(onStandby[0]?.count)).toBeLessThanOrEqual(Number(count) + 1_000);
    await verifyLedger(cluster, [writer], { rules });
  });

  it('every acknowledged write, late ones included, is verified once the writer has stopped', async () => {
    await writer.stop();
    await verifyLedger(cluster, [writer], { rules });
  });
});

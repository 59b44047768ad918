/**
 * Instances (and zones) joining and leaving a running cluster through `polygres apply`, with a writer
 * committing throughout: a new standby is restored from the latest backup, streams, and joins
 * the synchronous configuration; the primary itself can leave (switched away from first);
 * nothing acknowledged is lost, and what leaves leaves no process, port or data behind.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { readLayoutOfStateDir } from '../../runtime/src/deployment/layout-file';
import { isListening, waitFor } from '../../runtime/src/util/net';
import { listBackups } from '../support/backups';
import { verifyLedger } from '../support/ledger-check';
import { LEDGER_DDL, type LedgerWriter, startLedgerWriter } from '../support/ledger-writer';
import { type LocalCluster, startLocalCluster } from '../support/local-cluster';
import { polygres } from '../support/polygres-cli';
import { RuleRecorder } from '../support/rule-recorder';
import { runningSpecWith } from '../support/spec-files';

describe('instances join and leave a running cluster', () => {
  let cluster: LocalCluster;
  let writer: LedgerWriter;
  let rules: RuleRecorder;
  let specs: string;
  const specWith = (name: string, edit: (spec: Record<string, any>) => void) => runningSpecWith(cluster, specs, name, edit);

  beforeAll(async () => {
    cluster = await startLocalCluster(inject('testRoot'));
    specs = mkdtempSync(join(inject('testRoot'), 'instance-specs-'));
    await cluster.query(LEDGER_DDL);
    // Not the primary zone's gateway: it routes to whichever instance is primary, through the link.
    rules = await RuleRecorder.start(cluster.layout);
    writer = startLedgerWriter(cluster, 'instances-test', 0, cluster.layout.gateways[1]);
    await waitFor('the first full backup', async () => ((await listBackups(cluster.stateDir)).backups.length > 0 ? true : undefined), { timeoutMs: 120_000, intervalMs: 1_000 });
  });
  afterAll(async () => {
    await writer?.stop();
    await rules?.stop();
    await cluster?.stop();
  });

  it('adds a standby: restored from the backup, streaming, then in the synchronous configuration', async () => {
    const file = specWith('add', (spec) => spec.instances.push({ name: 'zone-a-1', zone: 'zone-a' }));
    const result = await polygres(['apply', '--spec', file, '--state-dir', cluster.stateDir]);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('instances: ');
    expect(result.stdout).toContain('[instances] zone-a-1 join: restored from the latest backup');
    expect(result.stdout).toContain('zone-a-1 is streaming');
    const status = await cluster.statusNow();
    expect(status.instances.map((instance) => instance.name)).toEqual(['zone-a-0', 'zone-b-0', 'zone-c-0', 'zone-a-1']);
    expect(status.instances.every((instance) => instance.healthy)).toBe(true);
    expect(status.syncStandbyNames).toContain('"zone-a-1"');
    const layout = readLayoutOfStateDir(cluster.stateDir);
    const added = layout.instances.find((instance) => instance.name === 'zone-a-1')!;
    const log = readFileSync(join(layout.logDir, 'pooler-zone-a-1.log'), 'utf8');
    expect(log).toContain('restoring a standby from the latest backup (pgBackRest)');
    await verifyLedger(cluster, [writer], { rules });
    const rows = await cluster.query<{ count: string }>('SELECT count(*) FROM ledger', added.port);
    expect(Number(rows[0]?.count)).toBeGreaterThan(0);
  });

  it('removes the primary: switched away from, out of the rule, stopped, its data deleted', async () => {
    const before = await cluster.statusNow();
    const leaving = readLayoutOfStateDir(cluster.stateDir).instances.find((instance) => instance.name === before.primary)!;
    const file = specWith('remove', (spec) => (spec.instances = spec.instances.filter((instance: { name: string }) => instance.name !== before.primary)));
    const result = await polygres(['apply', '--spec', file, '--state-dir', cluster.stateDir]);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain(`Switching over from ${before.primary}`);
    expect(result.stdout).toContain(`${before.primary} stopped and deleted`);
    const after = await cluster.statusNow();
    expect(after.primary).not.toBe(before.primary);
    expect(after.instances.map((instance) => instance.name)).not.toContain(before.primary);
    expect(after.instances.every((instance) => instance.healthy)).toBe(true);
    expect(after.syncStandbyNames).not.toContain(`"${before.primary}"`);
    expect(existsSync(leaving.instanceDir)).toBe(false);
    for (const port of [leaving.port, leaving.poolerPort, leaving.adminPort]) expect(await isListening(leaving.host, port), String(port)).toBe(false);
    await verifyLedger(cluster, [writer], { rules });
  });

  it('adds a zone with its gateway, orchestrator and instance, and removes it again', async () => {
    const file = specWith('add-zone', (spec) => {
      spec.zones.push({ name: 'zone-d' });
      spec.instances.push({ name: 'zone-d-0', zone: 'zone-d' });
    });
    const added = await polygres(['apply', '--spec', file, '--state-dir', cluster.stateDir]);
    expect(added.stderr).toBe('');
    expect(added.stdout).toContain('[instances] zone-d: a gateway and an orchestrator start');
    expect(added.stdout).toContain('zone-d-0 is streaming');
    const layout = readLayoutOfStateDir(cluster.stateDir);
    const gateway = layout.gateways.find((candidate) => candidate.zone === 'zone-d')!;
    const through = new Client({ host: gateway.host, port: gateway.port, user: 'postgres', password: cluster.secrets.superuserPassword, database: 'postgres', ssl: false });
    await through.connect();
    try {
      const [row] = (await through.query<{ count: string }>('SELECT count(*) FROM ledger')).rows;
      expect(Number(row?.count)).toBeGreaterThan(0);
    } finally {
      await through.end();
    }
    expect((await cluster.statusNow()).instances.map((instance) => instance.name)).toContain('zone-d-0');

    const removed = await polygres(['apply', '--spec', specWith('remove-zone', (spec) => {
      spec.zones = spec.zones.filter((zone: { name: string }) => zone.name !== 'zone-d');
      spec.instances = spec.instances.filter((instance: { zone: string }) => instance.zone !== 'zone-d');
    }), '--state-dir', cluster.stateDir]);
    expect(removed.stderr).toBe('');
    expect(removed.stdout).toContain('zone zone-d: its gateway and orchestrator stopped');
    expect(await isListening(gateway.host, gateway.port)).toBe(false);
    expect(readLayoutOfStateDir(cluster.stateDir).gateways.map((candidate) => candidate.zone)).toEqual(['zone-a', 'zone-b', 'zone-c']);
    await verifyLedger(cluster, [writer], { rules });
  });

  it('refuses a spec the instances left could not serve, before anything moves', async () => {
    const tooFew = await polygres(['apply', '--spec', specWith('too-few', (spec) => (spec.durability = { policy: 'atLeast', n: 4 })), '--state-dir', cluster.stateDir]);
    expect(tooFew.code).toBe(2);
    expect(tooFew.stderr).toContain('atLeast(4) needs at least 4 instances but 3 are declared');
    const emptyZone = await polygres(['apply', '--spec', specWith('empty-zone', (spec) => (spec.instances = spec.instances.filter((instance: { zone: string }) => instance.zone !== 'zone-c'))), '--state-dir', cluster.stateDir]);
    expect(emptyZone.code).toBe(2);
    expect(emptyZone.stderr).toContain('zone "zone-c" has no instances');
    expect((await cluster.statusNow()).instances).toHaveLength(3);
  });

  it('every acknowledged write, late ones included, is verified once the writer has stopped', async () => {
    await writer.stop();
    await verifyLedger(cluster, [writer], { rules });
  });
});

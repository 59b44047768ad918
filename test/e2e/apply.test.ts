/**
 * `polygres apply` on a running cluster with a writer committing throughout: the plan says
 * what each change costs; work_mem takes effect with no restart; max_connections rolls
 * through the cluster with one switchover and no acknowledged write lost; what cannot change
 * online is refused before anything moves; `up --spec` with a different spec refuses and
 * points at apply.
 */
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { postmasterPid } from '../support/faults';
import { verifyLedger } from '../support/ledger-check';
import { LEDGER_DDL, type LedgerWriter, startLedgerWriter } from '../support/ledger-writer';
import { type LocalCluster, startLocalCluster } from '../support/local-cluster';
import { polygres } from '../support/polygres-cli';
import { RuleRecorder } from '../support/rule-recorder';
import { runningSpecWith } from '../support/spec-files';

describe('polygres apply', () => {
  let cluster: LocalCluster;
  let writer: LedgerWriter;
  let rules: RuleRecorder;
  let specs: string;
  const pids = () => Object.fromEntries(cluster.layout.instances.map((instance) => [instance.name, postmasterPid(cluster, instance.name)]));
  const specWith = (name: string, edit: (spec: Record<string, any>) => void) => runningSpecWith(cluster, specs, name, edit);

  beforeAll(async () => {
    cluster = await startLocalCluster(inject('testRoot'));
    specs = mkdtempSync(join(inject('testRoot'), 'apply-specs-'));
    await cluster.query(LEDGER_DDL);
    rules = await RuleRecorder.start(cluster.layout);
    writer = startLedgerWriter(cluster, 'apply-test');
  });
  afterAll(async () => {
    await writer?.stop();
    await rules?.stop();
    await cluster?.stop();
  });

  it('shows the plan with --dry-run and changes nothing', async () => {
    const file = specWith('dry', (spec) => (spec.postgres.parameters = { work_mem: '48MB', max_connections: 150 }));
    const result = await polygres(['apply', '--spec', file, '--dry-run', '--state-dir', cluster.stateDir]);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('postgres.parameters.work_mem: (none) → "48MB"  [reload]');
    expect(result.stdout).toContain('postgres.parameters.max_connections: (none) → 150  [rolling-restart]');
    expect(result.stdout).toContain('Dry run: nothing was changed.');
    const [row] = await cluster.query<{ work_mem: string }>('SHOW work_mem');
    expect(row?.work_mem).toBe('4MB');
  });

  it('changes work_mem with no restart: the same postmasters, the new value through the gateway', async () => {
    const before = pids();
    const result = await polygres(['apply', '--spec', specWith('work-mem', (spec) => (spec.postgres.parameters = { work_mem: '48MB' })), '--state-dir', cluster.stateDir]);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('Applied.');
    expect(result.stdout).not.toContain('Restarting');
    const [row] = await cluster.query<{ work_mem: string }>('SHOW work_mem');
    expect(row?.work_mem).toBe('48MB');
    expect(pids()).toEqual(before);
    const again = await polygres(['apply', '--spec', specWith('work-mem-again', (spec) => (spec.postgres.parameters = { work_mem: '48MB' })), '--state-dir', cluster.stateDir]);
    expect(again.stdout).toContain('No changes');
  });

  it('raises max_connections standbys first, then one switchover, while the writer commits; no acknowledged write is lost', async () => {
    const before = pids();
    const status = await cluster.statusNow();
    const file = specWith('max-connections-up', (spec) => (spec.postgres.parameters = { work_mem: '48MB', max_connections: 250 }));
    const result = await polygres(['apply', '--spec', file, '--yes', '--state-dir', cluster.stateDir]);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('Restarting where Postgres waits for it (max_connections)');
    expect(result.stdout).toContain(`Switching over from ${status.primary}`);
    const after = pids();
    for (const instance of cluster.layout.instances) expect(after[instance.name], instance.name).not.toBe(before[instance.name]);
    for (const instance of cluster.layout.instances) {
      const [row] = await cluster.query<{ max_connections: string }>('SHOW max_connections', instance.port);
      expect(row?.max_connections, instance.name).toBe('250');
    }
    await verifyLedger(cluster, [writer], { rules });
  });

  it('lowers max_connections primary first (a standby may not have fewer than its primary), losing no acknowledged write', async () => {
    const status = await cluster.statusNow();
    const file = specWith('max-connections-down', (spec) => (spec.postgres.parameters = { work_mem: '48MB', max_connections: 150 }));
    const result = await polygres(['apply', '--spec', file, '--yes', '--state-dir', cluster.stateDir]);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain(`${status.primary} first, in place`);
    for (const instance of cluster.layout.instances) {
      const [row] = await cluster.query<{ max_connections: string }>('SHOW max_connections', instance.port);
      expect(row?.max_connections, instance.name).toBe('150');
    }
    const now = await cluster.statusNow();
    expect(now.instances.every((instance) => instance.healthy)).toBe(true);
    await verifyLedger(cluster, [writer], { rules });
  });

  it('changes pool sizes and client limits in the running poolers and gateways, restarting nothing', async () => {
    // The primary's zone's gateway serves it from its own pool (the primary may have moved by now).
    const { primary } = await cluster.statusNow();
    const zone = cluster.layout.instances.find((instance) => instance.name === primary)!.zone;
    const gateway = cluster.layout.gateways.find((candidate) => candidate.zone === zone)!;
    const login = async () => {
      const client = new Client({ host: gateway.host, port: gateway.port, user: 'postgres', password: cluster.secrets.superuserPassword, database: 'postgres', ssl: false });
      client.on('error', () => undefined);
      await client.connect();
      return client;
    };
    const poolSizeInPrimaryZone = async () => {
      const report = JSON.parse((await polygres(['pools', '--json', '--state-dir', cluster.stateDir])).stdout) as Array<{ gateway?: string; report: { pools: Array<{ active: number; idle: number }> } }>;
      return Math.max(0, ...report.find((entry) => entry.gateway === zone)!.report.pools.map((pool) => pool.active + pool.idle));
    };
    // Five statements at once grow the primary zone's pool past two connections.
    const busy = await Promise.all([1, 2, 3, 4, 5].map(() => login()));
    await Promise.all(busy.map((client) => client.query('SELECT pg_sleep(0.3)')));
    for (const client of busy) await client.end();
    expect(await poolSizeInPrimaryZone()).toBeGreaterThan(2);
    const before = pids();
    const file = specWith('live-services', (spec) => {
      spec.pooler.poolSize = 2;
      spec.gateway.limits.maxConnectionsPerUser = 3;
    });
    const result = await polygres(['apply', '--spec', file, '--state-dir', cluster.stateDir]);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('pooler.poolSize: 20 → 2  [reload]');
    expect(result.stdout).toContain(`gateway-${zone}: reloaded`);
    expect(pids()).toEqual(before);
    // The idle connections past the new size are closed at once.
    expect(await poolSizeInPrimaryZone()).toBeLessThanOrEqual(2);
    // The cap counts per gateway (the writer's session is on another): three fit, the fourth is refused.
    const held = [await login(), await login(), await login()];
    try {
      await expect(login()).rejects.toMatchObject({ code: '53300', message: expect.stringContaining('too many connections for role "postgres"') });
      // Three statements at once, through a pool of two.
      const running = held.map((client) => client.query('SELECT pg_sleep(0.5)'));
      expect(await poolSizeInPrimaryZone()).toBeLessThanOrEqual(2);
      await Promise.all(running);
    } finally {
      for (const client of held) await client.end().catch(() => undefined);
    }
    // Back to the defaults, for the tests after this one.
    const back = await polygres(['apply', '--spec', specWith('live-services-back', (spec) => {
      spec.pooler.poolSize = 20;
      spec.gateway.limits.maxConnectionsPerUser = 0;
    }), '--state-dir', cluster.stateDir]);
    expect(back.stderr).toBe('');
  });

  it('refuses what cannot change online before changing anything, with exit 2', async () => {
    const file = specWith('refused', (spec) => {
      spec.postgres.parameters = { work_mem: '96MB' };
      spec.backup.repositories = [{ type: 'posix', path: join(specs, 'another-repository') }];
    });
    const result = await polygres(['apply', '--spec', file, '--state-dir', cluster.stateDir]);
    expect(result.code).toBe(2);
    expect(result.stdout).toContain('backup.repositories: ');
    expect(result.stdout).toContain("[refused] the repositories and their encryption hold this cluster's backups and WAL archive");
    expect(result.stderr).toContain('nothing was changed');
    const [row] = await cluster.query<{ work_mem: string }>('SHOW work_mem');
    expect(row?.work_mem).toBe('48MB');
  });

  it('up --spec with another spec refuses and points at apply', async () => {
    const file = specWith('up', (spec) => (spec.postgres.parameters = { work_mem: '8MB' }));
    const result = await polygres(['up', '--detach', '--spec', file, '--state-dir', cluster.stateDir]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('up does not change a cluster');
    expect(result.stderr).toContain(`polygres apply --spec ${file}`);
    expect(result.stderr).toContain('postgres.parameters.work_mem: "48MB" → "8MB"');
  });

  it('every acknowledged write, late ones included, is verified once the writer has stopped', async () => {
    await writer.stop();
    await verifyLedger(cluster, [writer], { rules });
  });
});

/**
 * The constructs' local target end to end: the ClusterSpec a cdktf app synthesizes is the one
 * `polygres up --spec` runs, and the running cluster has the declared zones and policy.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, TerraformStack } from 'cdktf';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DurabilityPolicy, PolygresCluster, Target, Zone } from '../../constructs/src';
import { type LocalCluster, startLocalCluster } from '../support/local-cluster';

describe('constructs: local target', () => {
  let cluster: LocalCluster;
  let specText: string;

  beforeAll(async () => {
    const root = inject('testRoot');
    const outdir = mkdtempSync(join(root, 'cdktf-'));
    const app = new App({ outdir });
    const stack = new TerraformStack(app, 'dev');
    new PolygresCluster(stack, 'inventory', {
      zones: [Zone.of('east', { instances: 2 }), Zone.of('west')],
      durability: DurabilityPolicy.multiZone(2),
      target: Target.local(),
      postgres: { parameters: { work_mem: '8MB' } },
    });
    app.synth();
    specText = readFileSync(join(outdir, 'stacks', 'dev', 'polygres', 'inventory.spec.json'), 'utf8');
    cluster = await startLocalCluster(root, JSON.parse(specText));
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('runs the synthesized spec with the declared zones, instances and policy', async () => {
    const status = await cluster.status();
    expect(status.cluster).toBe('inventory');
    expect(status.policy).toBe('multiZone(2)');
    expect(status.instances.map((i) => [i.name, i.zone])).toEqual([['east-0', 'east'], ['east-1', 'east'], ['west-0', 'west']]);
    expect(cluster.layout.gateways.map((g) => g.zone)).toEqual(['east', 'west']);
  });

  it('accepts writes through a gateway, with the declared Postgres parameters', async () => {
    const rows = await cluster.query<{ work_mem: string }>('SHOW work_mem');
    expect(rows).toEqual([{ work_mem: '8MB' }]);
    await cluster.query('CREATE TABLE constructs_check (id int primary key)');
    await cluster.query('INSERT INTO constructs_check VALUES (1)');
    expect(await cluster.query('SELECT count(*)::int AS n FROM constructs_check')).toEqual([{ n: 1 }]);
  });
});

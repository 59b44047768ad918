/**
 * `cdktf deploy` of a local-target app, done as cdktf does it: terraform init and apply on the
 * synthesized cdk.tf.json, with this repository's polygres provider. The cluster runs the
 * declared spec, the declared database exists, and destroy stops everything.
 */
import { copyFileSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { App, LocalBackend, TerraformStack } from 'cdktf';
import { Client } from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { readLayoutOfStateDir } from '../../runtime/src/deployment/layout-file';
import { SUPERUSER, readSecrets } from '../../runtime/src/deployment/secrets';
import { DurabilityPolicy, PolygresCluster, Target, Zone } from '../../constructs/src';
import { type PortBlock, claimPortBlock } from '../support/ports';
import { type TerraformDir, terraformDir } from '../provider/terraform';

describe('constructs: cdktf deploy of the local target', () => {
  let block: PortBlock | undefined;
  let terraform: TerraformDir | undefined;
  let applied = false;

  afterAll(async () => {
    if (terraform && applied) await terraform.run('destroy', '-auto-approve', '-input=false');
    block?.release();
  });

  it('applies polygres_cluster and polygres_database, and destroys them', async () => {
    const root = inject('testRoot');
    block = await claimPortBlock();
    const stateDir = join(mkdtempSync(join(root, 'deploy-')), 'cluster');
    const outdir = mkdtempSync(join(root, 'cdktf-'));
    const app = new App({ outdir });
    const stack = new TerraformStack(app, 'dev');
    terraform = terraformDir(mkdtempSync(join(root, 'terraform-')), 'mirror');
    // cdktf's default state file is in the app's working directory: keep it with the test.
    new LocalBackend(stack, { path: join(terraform.dir, 'terraform.tfstate') });
    const cluster = new PolygresCluster(stack, 'deployed', {
      zones: [Zone.of('zone-a'), Zone.of('zone-b'), Zone.of('zone-c')],
      durability: DurabilityPolicy.atLeast(2),
      target: Target.local({ stateDir, basePort: block.base }),
    });
    cluster.addDatabase('shop');
    app.synth();

    copyFileSync(join(outdir, 'stacks', 'dev', 'cdk.tf.json'), join(terraform.dir, 'cdk.tf.json'));
    await terraform.expect([0], 'init', '-input=false');
    applied = true;
    await terraform.expect([0], 'apply', '-auto-approve', '-input=false');

    const layout = readLayoutOfStateDir(stateDir);
    expect(layout.cluster).toBe('deployed');
    expect(layout.gateways.map((g) => g.port)).toEqual([block.base, block.base + 1, block.base + 2]);
    const client = new Client({ host: '127.0.0.1', port: block.base, user: SUPERUSER, password: readSecrets(layout.secretsFile).superuserPassword, database: 'shop' });
    await client.connect();
    try {
      expect((await client.query('SELECT current_database() AS db')).rows).toEqual([{ db: 'shop' }]);
    } finally {
      await client.end();
    }

    const plan = await terraform.expect([0, 2], 'plan', '-detailed-exitcode', '-input=false');
    expect(plan.code, plan.output).toBe(0);
    await terraform.expect([0], 'destroy', '-auto-approve', '-input=false');
    applied = false;
  });
});

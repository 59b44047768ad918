/**
 * The generated cdktf bindings against the real provider: a stack synthesized with them is
 * applied by terraform (as `cdktf deploy` would run it), psql logs in as the role it declares,
 * and destroy removes everything.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { App, LocalBackend, TerraformOutput, TerraformStack } from 'cdktf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PolygresClusterResource, PolygresDatabaseResource, PolygresDurabilityPolicyResource, PolygresProvider, PolygresRoleResource } from '../../constructs/src/render/polygres-provider';
import type { PortBlock } from '../support/ports';
import { type TerraformDir, terraformDir } from './terraform';
import { type Workspace, clusterStatus, openWorkspace, psql } from './workspace';

function synthesize(outdir: string, stateDir: string, basePort: number): string {
  const app = new App({ outdir });
  const stack = new TerraformStack(app, 'local');
  // Terraform state beside the synthesized stack, not in the directory the tests run from.
  new LocalBackend(stack, { path: join(outdir, 'terraform.tfstate') });
  new PolygresProvider(stack, 'polygres');
  const cluster = new PolygresClusterResource(stack, 'cluster', {
    stateDir,
    basePort,
    specJson: JSON.stringify({
      apiVersion: 'polygres.dev/v1',
      name: 'bindings',
      zones: [{ name: 'zone-a' }, { name: 'zone-b' }, { name: 'zone-c' }],
      instances: [{ name: 'a0', zone: 'zone-a' }, { name: 'b0', zone: 'zone-b' }, { name: 'c0', zone: 'zone-c' }],
      durability: { policy: 'atLeast', n: 2 },
    }),
  });
  new PolygresDurabilityPolicyResource(stack, 'policy', { clusterId: cluster.id, policy: 'surviveZoneFailure' });
  const role = new PolygresRoleResource(stack, 'app', { clusterId: cluster.id, name: 'app', password: 'from-cdktf' });
  new PolygresDatabaseResource(stack, 'db', { clusterId: cluster.id, name: 'appdb', owner: role.name });
  new TerraformOutput(stack, 'gateway_port', { value: cluster.getNumberAttribute('base_port') });
  app.synth();
  return join(outdir, 'stacks', 'local');
}

describe('cdktf bindings with the real provider', () => {
  let workspace: Workspace;
  let stateDir: string;
  let block: PortBlock;
  let tf: TerraformDir;

  beforeAll(async () => {
    workspace = await openWorkspace('provider-cdktf-');
    ({ stateDir, block } = workspace);
    tf = terraformDir(synthesize(join(workspace.work, 'cdktf.out'), stateDir, block.base), 'mirror');
  });

  afterAll(() => workspace.cleanup());

  it('a synthesized stack applies: the cluster runs with the declared policy, role and database', async () => {
    // cdktf stacks declare a (local) backend, which needs init: it installs the provider from the mirror.
    await tf.expect([0], 'init');
    const plan = await tf.run('plan', '-detailed-exitcode');
    expect(plan.code, plan.output).toBe(2);
    expect(plan.output).toContain('4 to add, 0 to change, 0 to destroy');
    await tf.expect([0], 'apply', '-auto-approve');
    expect((await clusterStatus(stateDir)).policy).toBe('surviveZoneFailure()');
    expect(await psql(`postgresql://app:from-cdktf@127.0.0.1:${block.base}/appdb`, 'SELECT current_user')).toBe('app');
    expect((await tf.run('plan', '-detailed-exitcode')).code).toBe(0);
  }, 300_000);

  it('destroy removes the cluster', async () => {
    await tf.expect([0], 'destroy', '-auto-approve');
    expect(existsSync(stateDir)).toBe(false);
  }, 120_000);
});

/**
 * A cluster this machine's Terraform did not start, registered by its orchestrators' admin
 * endpoints and the provider's admin token: its policy and primary are managed through the
 * admin API, import reads them back, and destroy only forgets the cluster.
 */
import { join } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type LocalCluster, startLocalCluster } from '../support/local-cluster';
import { REQUIRED_PROVIDERS, type TerraformDir, terraformDir } from './terraform';

function config(endpoint: string, token: string, primary: string): string {
  return `${REQUIRED_PROVIDERS}
provider "polygres" {
  admin_token = "${token}"
}

resource "polygres_cluster" "remote" {
  endpoint = "${endpoint}"
}

resource "polygres_durability_policy" "remote" {
  cluster_id = polygres_cluster.remote.id
  policy     = "multiZone"
  n          = 2
}

resource "polygres_primary" "remote" {
  cluster_id = polygres_cluster.remote.id
  instance   = "${primary}"
  depends_on = [polygres_durability_policy.remote]
}
`;
}

describe('a cluster registered by endpoint', () => {
  let cluster: LocalCluster;
  let endpoint: string;
  let tf: TerraformDir;
  let work: string;

  beforeAll(async () => {
    cluster = await startLocalCluster(inject('testRoot'));
    endpoint = cluster.layout.orchestrators.map((o) => `http://${o.host}:${o.adminPort}`).join(',');
    work = mkdtempSync(join(inject('testRoot'), 'provider-endpoint-'));
    tf = terraformDir(join(work, 'tf'));
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  it('apply changes the policy and the primary through the admin API; a second plan is empty', async () => {
    tf.configure(config(endpoint, cluster.secrets.adminToken, 'zone-b-0'));
    await tf.expect([0], 'apply', '-auto-approve');
    const status = await cluster.status();
    expect(status.policy).toBe('multiZone(2)');
    expect(status.primary).toBe('zone-b-0');
    const plan = await tf.run('plan', '-detailed-exitcode');
    expect(plan.code, plan.output).toBe(0);
  }, 300_000);

  it('a wrong token is refused with the admin API\'s answer', async () => {
    const other = terraformDir(join(work, 'wrong-token'));
    other.configure(config(endpoint, 'not-the-token', 'zone-b-0'));
    const plan = await other.run('plan');
    expect(plan.code).toBe(1);
    expect(plan.output).toMatch(/401/);
  }, 120_000);

  it('import reads the registration, policy and primary back: the plan is empty', async () => {
    const other = terraformDir(join(work, 'imported'));
    other.configure(config(endpoint, cluster.secrets.adminToken, 'zone-b-0'));
    await other.expect([0], 'import', 'polygres_cluster.remote', endpoint);
    await other.expect([0], 'import', 'polygres_durability_policy.remote', endpoint);
    await other.expect([0], 'import', 'polygres_primary.remote', endpoint);
    const plan = await other.run('plan', '-detailed-exitcode');
    expect(plan.code, plan.output).toBe(0);
  }, 200_000);

  it('destroy forgets the cluster and leaves it running', async () => {
    await tf.expect([0], 'destroy', '-auto-approve');
    const status = await cluster.status();
    expect(status.supervisor.running).toBe(true);
    expect(status.primary).toBe('zone-b-0');
    expect(await cluster.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
  }, 200_000);
});

/**
 * The provider end to end with the real terraform binary and plain HCL: apply brings up a
 * cluster psql reaches; a second plan shows no changes; a policy change is a live in-place
 * update; changing polygres_primary switches over; a killed supervisor is drift that apply
 * repairs; import of the running cluster plans no changes; destroy leaves no process.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { allPorts } from '../../runtime/src/deployment/layout';
import { readLayoutOfStateDir } from '../../runtime/src/deployment/layout-file';
import { isListening } from '../../runtime/src/util/net';
import type { PortBlock } from '../support/ports';
import { REQUIRED_PROVIDERS, type TerraformDir, terraformDir } from './terraform';
import { type Workspace, clusterStatus, openWorkspace, psql } from './workspace';

const spec = `jsonencode({
    apiVersion = "polygres.dev/v1"
    name       = "tfcluster"
    zones      = [{ name = "zone-a" }, { name = "zone-b" }, { name = "zone-c" }]
    instances  = [{ name = "a0", zone = "zone-a" }, { name = "b0", zone = "zone-b" }, { name = "c0", zone = "zone-c" }]
    durability = { policy = "atLeast", n = 2 }
  })`;

function config(stateDir: string, basePort: number, policy: { policy: string; n?: number }, primary: string, parameters = ''): string {
  return `${REQUIRED_PROVIDERS}
resource "polygres_cluster" "main" {
  state_dir = "${stateDir}"
  base_port = ${basePort}
  spec_json = ${parameters ? spec.replace('durability = {', `postgres   = { parameters = { ${parameters} } }\n    durability = {`) : spec}
}

resource "polygres_durability_policy" "main" {
  cluster_id = polygres_cluster.main.id
  policy     = "${policy.policy}"
${policy.n === undefined ? '' : `  n          = ${policy.n}\n`}}

resource "polygres_primary" "main" {
  cluster_id = polygres_cluster.main.id
  instance   = "${primary}"
  depends_on = [polygres_durability_policy.main]
}

data "polygres_cluster_status" "main" {
  cluster_id = polygres_cluster.main.id
  depends_on = [polygres_durability_policy.main, polygres_primary.main]
}

output "url" {
  value     = polygres_cluster.main.connection_url
  sensitive = true
}

output "live_policy" {
  value = data.polygres_cluster_status.main.policy
}
`;
}


/** Processes whose command line names the cluster's state directory (our services, etcd, Postgres). */
function processesOf(stateDir: string): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(stateDir);
      } catch {
        return false;
      }
    })
    .map(Number);
}

describe('terraform with the polygres provider (local target)', () => {
  let workspace: Workspace;
  let stateDir: string;
  let block: PortBlock;
  let tf: TerraformDir;
  let url: string;

  beforeAll(async () => {
    workspace = await openWorkspace('provider-');
    ({ stateDir, block } = workspace);
    tf = terraformDir(join(workspace.work, 'tf'));
  });

  afterAll(() => workspace.cleanup());

  it('apply brings up a cluster that psql reaches through the gateway', async () => {
    tf.configure(config(stateDir, block.base, { policy: 'atLeast', n: 2 }, 'a0'));
    await tf.expect([0], 'apply', '-auto-approve');
    url = (await tf.expect([0], 'output', '-raw', 'url')).output.trim();
    expect(url).toMatch(new RegExp(`^postgresql://postgres:.+@127\\.0\\.0\\.1:${block.base}/postgres$`));
    await psql(url, 'CREATE TABLE kept (v int); INSERT INTO kept VALUES (42)');
    expect(await psql(url, 'SELECT v FROM kept')).toBe('42');
    expect((await tf.expect([0], 'output', '-raw', 'live_policy')).output.trim()).toBe('atLeast(2)');
  }, 300_000);

  it('a second plan shows no changes', async () => {
    const plan = await tf.run('plan', '-detailed-exitcode');
    expect(plan.code, plan.output).toBe(0);
    expect(plan.output).toContain('No changes.');
  }, 120_000);

  it('a policy change plans an in-place update and apply performs it live, without restarts', async () => {
    const before = await clusterStatus(stateDir);
    tf.configure(config(stateDir, block.base, { policy: 'multiZone', n: 2 }, 'a0'));
    const plan = await tf.run('plan', '-detailed-exitcode');
    expect(plan.code, plan.output).toBe(2);
    expect(plan.output).toContain('polygres_durability_policy.main will be updated in-place');
    expect(plan.output).toMatch(/policy\s+= "atLeast" -> "multiZone"/);
    expect(plan.output).toContain('0 to add, 1 to change, 0 to destroy');

    await tf.expect([0], 'apply', '-auto-approve');
    const after = await clusterStatus(stateDir);
    expect(after.policy).toBe('multiZone(2)');
    expect(after.term).toBeGreaterThan(before.term!);
    expect(after.supervisor.pid).toBe(before.supervisor.pid);
    expect(after.processes.every((p) => p.restarts === 0 && p.running)).toBe(true);
    expect(after.primary).toBe('a0');
    expect((await tf.expect([0], 'output', '-raw', 'live_policy')).output.trim()).toBe('multiZone(2)');
    expect(await psql(url, 'SELECT v FROM kept')).toBe('42');
    expect((await tf.run('plan', '-detailed-exitcode')).code).toBe(0);
  }, 300_000);

  it('a Postgres parameter in spec_json is applied in place: the plan says what it costs, nothing restarts for a reload', async () => {
    const before = await clusterStatus(stateDir);
    // A postmaster parameter would roll the cluster (and move the primary): planned only.
    tf.configure(config(stateDir, block.base, { policy: 'multiZone', n: 2 }, 'a0', 'max_connections = "250"'));
    const rolling = await tf.run('plan', '-detailed-exitcode');
    expect(rolling.code, rolling.output).toBe(2);
    expect(rolling.output).toContain('polygres_cluster.main will be updated in-place');
    // Terraform wraps a warning's detail to the terminal's width.
    expect(rolling.output.replace(/\s+/g, ' ')).toContain('[rolling-restart] max_connections takes effect only when Postgres restarts');

    tf.configure(config(stateDir, block.base, { policy: 'multiZone', n: 2 }, 'a0', 'work_mem = "32MB"'));
    const plan = await tf.run('plan', '-detailed-exitcode');
    expect(plan.code, plan.output).toBe(2);
    expect(plan.output).toContain('polygres_cluster.main will be updated in-place');
    expect(plan.output).toContain('spec_json: applied in place to the running cluster (polygres apply)');
    expect(plan.output.replace(/\s+/g, ' ')).toContain('postgres.parameters.work_mem: (none) → "32MB" [reload]');
    expect(plan.output).toContain('0 to add, 1 to change, 0 to destroy');
    await tf.expect([0], 'apply', '-auto-approve');
    expect(await psql(url, 'SHOW work_mem')).toBe('32MB');
    expect(await psql(url, 'SELECT v FROM kept')).toBe('42');
    const after = await clusterStatus(stateDir);
    expect(after.supervisor.pid).toBe(before.supervisor.pid);
    expect(after.term).toBe(before.term);
    expect((await tf.run('plan', '-detailed-exitcode')).code).toBe(0);
  }, 300_000);

  it('a change a running cluster cannot take plans a re-creation, and says why', async () => {
    tf.configure(config(stateDir, block.base, { policy: 'multiZone', n: 2 }, 'a0', 'work_mem = "32MB"').replace('name       = "tfcluster"', 'name       = "renamed"'));
    const plan = await tf.run('plan', '-detailed-exitcode');
    expect(plan.code, plan.output).toBe(2);
    expect(plan.output).toContain('polygres_cluster.main must be replaced');
    expect(plan.output).toContain('spec_json: this change re-creates the cluster, and its data with it');
    expect(plan.output.replace(/\s+/g, ' ')).toContain('[refused] name names the cluster');
    tf.configure(config(stateDir, block.base, { policy: 'multiZone', n: 2 }, 'a0', 'work_mem = "32MB"'));
  }, 120_000);

  it('changing polygres_primary performs a switchover', async () => {
    tf.configure(config(stateDir, block.base, { policy: 'multiZone', n: 2 }, 'b0', 'work_mem = "32MB"'));
    const plan = await tf.run('plan', '-detailed-exitcode');
    expect(plan.code, plan.output).toBe(2);
    expect(plan.output).toContain('polygres_primary.main will be updated in-place');
    expect(plan.output).toMatch(/instance\s+= "a0" -> "b0"/);

    await tf.expect([0], 'apply', '-auto-approve');
    expect((await clusterStatus(stateDir)).primary).toBe('b0');
    await psql(url, 'INSERT INTO kept VALUES (43)');
    expect(await psql(url, 'SELECT count(*) FROM kept')).toBe('2');
    expect((await tf.run('plan', '-detailed-exitcode')).code).toBe(0);
  }, 300_000);

  it('a killed process is drift: the next plan shows it, and apply restarts the cluster with its data', async () => {
    const supervisor = Number(readFileSync(join(stateDir, 'run', 'supervisor.pid'), 'utf8'));
    process.kill(supervisor, 'SIGKILL');
    const plan = await tf.run('plan', '-detailed-exitcode');
    expect(plan.code, plan.output).toBe(2);
    expect(plan.output).toContain('polygres_cluster.main will be updated in-place');
    expect(plan.output).toMatch(/running\s+= false -> true/);

    await tf.expect([0], 'apply', '-auto-approve');
    expect((await clusterStatus(stateDir)).supervisor.running).toBe(true);
    expect(await psql(url, 'SELECT count(*) FROM kept')).toBe('2');
    expect((await tf.run('plan', '-detailed-exitcode')).code).toBe(0);
  }, 300_000);

  it('terraform import of the running cluster, then plan, shows no changes', async () => {
    const other = terraformDir(join(workspace.work, 'imported'));
    other.configure(config(stateDir, block.base, { policy: 'multiZone', n: 2 }, 'b0', 'work_mem = "32MB"'));
    await other.expect([0], 'import', 'polygres_cluster.main', stateDir);
    await other.expect([0], 'import', 'polygres_durability_policy.main', stateDir);
    await other.expect([0], 'import', 'polygres_primary.main', stateDir);
    const plan = await other.run('plan', '-detailed-exitcode');
    expect(plan.code, plan.output).toBe(0);
    expect(plan.output).toContain('No changes.');
  }, 300_000);

  it('terraform destroy stops every process and frees every port', async () => {
    const layout = readLayoutOfStateDir(stateDir);
    await tf.expect([0], 'destroy', '-auto-approve');
    expect(existsSync(stateDir)).toBe(false);
    expect(processesOf(stateDir)).toEqual([]);
    for (const { port, owner } of allPorts(layout)) expect(await isListening('127.0.0.1', port, 300), owner).toBe(false);
  }, 300_000);
});

describe('plan-time validation', () => {
  it('refuses an invalid spec before anything starts, pointing at spec_json with the field and the fix', async () => {
    const work = mkdtempSync(join(inject('testRoot'), 'provider-invalid-'));
    const tf = terraformDir(join(work, 'tf'));
    tf.configure(`${REQUIRED_PROVIDERS}
resource "polygres_cluster" "bad" {
  state_dir = "${join(work, 'never')}"
  spec_json = jsonencode({
    apiVersion = "polygres.dev/v1"
    name       = "bad"
    zones      = [{ name = "zone-a" }]
    instances  = [{ name = "a0", zone = "zone-z" }]
    durability = { policy = "none" }
    postgres   = { parameters = { shared_bufers = "1GB" } }
  })
}

resource "polygres_durability_policy" "bad" {
  cluster_id = "${join(work, 'never')}"
  policy     = "surviveZoneFailure"
  n          = 2
}
`);
    const plan = await tf.run('plan');
    expect(plan.code).toBe(1);
    expect(plan.output).toContain('instances[0].zone: zone "zone-z" is not declared in zones[]');
    expect(plan.output).toContain('fix: use one of "zone-a", or add a zone named "zone-z"');
    expect(plan.output).toContain('postgres.parameters.shared_bufers: "shared_bufers" is not a Postgres parameter');
    expect(plan.output).toContain('fix: did you mean "shared_buffers"?');
    expect(plan.output).toMatch(/with polygres_cluster\.bad,[\s\S]*spec_json = jsonencode/);
    expect(plan.output).toContain('n: surviveZoneFailure takes no n');
    expect(plan.output).toMatch(/with polygres_durability_policy\.bad,[\s\S]*n\s+= 2/);
    expect(existsSync(join(work, 'never'))).toBe(false);
  }, 120_000);
});

/**
 * Day-2 objects of a cluster through the real terraform binary: a role with a SCRAM password
 * and a database it owns (psql logs in through the gateway), a password changed outside
 * Terraform as drift, the backup schedule changed on the running cluster, an on-demand
 * backup, and import of each.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { listBackups } from '../support/backups';
import type { PortBlock } from '../support/ports';
import { REQUIRED_PROVIDERS, type TerraformDir, terraformDir } from './terraform';
import { type Workspace, clusterStatus, openWorkspace, psql } from './workspace';

interface Settings {
  readonly password: string;
  readonly diff: string;
  readonly trigger: string;
}

function config(stateDir: string, repo: string, basePort: number, settings: Settings): string {
  return `${REQUIRED_PROVIDERS}
resource "polygres_cluster" "main" {
  state_dir = "${stateDir}"
  base_port = ${basePort}
  spec_json = jsonencode({
    apiVersion = "polygres.dev/v1"
    name       = "objects"
    zones      = [{ name = "zone-a" }, { name = "zone-b" }]
    instances  = [{ name = "a0", zone = "zone-a" }, { name = "b0", zone = "zone-b" }]
    durability = { policy = "atLeast", n = 2 }
    backup     = { repositories = [{ type = "posix", path = "${repo}" }], retention = { full = 4 } }
  })
}

resource "polygres_role" "app" {
  cluster_id = polygres_cluster.main.id
  name       = "app"
  password   = "${settings.password}"
}

resource "polygres_database" "app" {
  cluster_id = polygres_cluster.main.id
  name       = "appdb"
  owner      = polygres_role.app.name
}

resource "polygres_backup_schedule" "main" {
  cluster_id = polygres_cluster.main.id
  full       = "0 1 * * 0"
  diff       = "${settings.diff}"
}

resource "polygres_backup" "now" {
  cluster_id = polygres_cluster.main.id
  type       = "full"
  triggers   = { reason = "${settings.trigger}" }
}

output "url" {
  value     = polygres_cluster.main.connection_url
  sensitive = true
}

output "backup_label" {
  value = polygres_backup.now.label
}
`;
}


describe('roles, databases, backups and the backup schedule through terraform', () => {
  let workspace: Workspace;
  let stateDir: string;
  let repo: string;
  let block: PortBlock;
  let tf: TerraformDir;
  let superuser: string;
  const settings: Settings = { password: 'first-secret', diff: '0 2 * * *', trigger: 'one' };
  const appUrl = (password: string) => `postgresql://app:${password}@127.0.0.1:${block.base}/appdb`;
  const configure = (changes: Partial<Settings> = {}) => tf.configure(config(stateDir, repo, block.base, { ...settings, ...changes }));

  beforeAll(async () => {
    workspace = await openWorkspace('provider-objects-');
    ({ stateDir, block } = workspace);
    repo = join(workspace.work, 'repo');
    tf = terraformDir(join(workspace.work, 'tf'));
  });

  afterAll(() => workspace.cleanup());

  it('apply creates the role, its database and a backup; the role logs in with SCRAM through the gateway', async () => {
    configure();
    await tf.expect([0], 'apply', '-auto-approve');
    superuser = (await tf.expect([0], 'output', '-raw', 'url')).output.trim();
    expect(await psql(appUrl('first-secret'), 'SELECT current_user || \'@\' || current_database()')).toBe('app@appdb');
    expect(await psql(superuser, "SELECT rolpassword LIKE 'SCRAM-SHA-256$%' FROM pg_authid WHERE rolname = 'app'")).toBe('t');
    const label = (await tf.expect([0], 'output', '-raw', 'backup_label')).output.trim();
    expect(label).toMatch(/F$/);
    expect((await listBackups(stateDir)).backups.map((b) => b.label)).toContain(label);
    const plan = await tf.run('plan', '-detailed-exitcode');
    expect(plan.code, plan.output).toBe(0);
  }, 400_000);

  it('a new password is an in-place update; the old one stops working', async () => {
    configure({ password: 'second-secret' });
    const plan = await tf.run('plan', '-detailed-exitcode');
    expect(plan.code, plan.output).toBe(2);
    expect(plan.output).toContain('polygres_role.app will be updated in-place');
    await tf.expect([0], 'apply', '-auto-approve');
    Object.assign(settings, { password: 'second-secret' });
    expect(await psql(appUrl('second-secret'), 'SELECT 1')).toBe('1');
    await expect(psql(appUrl('first-secret'), 'SELECT 1')).rejects.toThrow(/password authentication failed|authentication/);
  }, 200_000);

  it('a password changed outside Terraform is drift that apply sets back', async () => {
    await psql(superuser, "ALTER ROLE app PASSWORD 'changed-by-hand'");
    const plan = await tf.run('plan', '-detailed-exitcode');
    expect(plan.code, plan.output).toBe(2);
    expect(plan.output).toContain('polygres_role.app will be updated in-place');
    await tf.expect([0], 'apply', '-auto-approve');
    expect(await psql(appUrl('second-secret'), 'SELECT 1')).toBe('1');
  }, 200_000);

  it('a new backup schedule restarts only the orchestrators, and the cluster shows no drift', async () => {
    const before = await clusterStatus(stateDir);
    configure({ diff: '30 3 * * *' });
    const plan = await tf.run('plan', '-detailed-exitcode');
    expect(plan.code, plan.output).toBe(2);
    expect(plan.output).toContain('polygres_backup_schedule.main will be updated in-place');
    expect(plan.output).toContain('0 to add, 1 to change, 0 to destroy');
    await tf.expect([0], 'apply', '-auto-approve');
    Object.assign(settings, { diff: '30 3 * * *' });
    const spec = JSON.parse(readFileSync(join(stateDir, 'spec.json'), 'utf8'));
    expect(spec.backup.schedule).toEqual({ full: '0 1 * * 0', diff: '30 3 * * *' });
    const after = await clusterStatus(stateDir);
    for (const process of after.processes) {
      const restarted = process.restarts > (before.processes.find((p) => p.name === process.name)?.restarts ?? 0);
      expect(restarted, process.name).toBe(process.name.startsWith('orchestrator-'));
    }
    expect((await tf.run('plan', '-detailed-exitcode')).code).toBe(0);
  }, 200_000);

  it('changing the backup triggers takes a new backup', async () => {
    const first = (await tf.expect([0], 'output', '-raw', 'backup_label')).output.trim();
    configure({ trigger: 'two' });
    const plan = await tf.run('plan', '-detailed-exitcode');
    expect(plan.output).toContain('polygres_backup.now must be replaced');
    await tf.expect([0], 'apply', '-auto-approve');
    Object.assign(settings, { trigger: 'two' });
    const second = (await tf.expect([0], 'output', '-raw', 'backup_label')).output.trim();
    expect(second).not.toBe(first);
    expect((await listBackups(stateDir)).backups.map((b) => b.label)).toEqual(expect.arrayContaining([first, second]));
  }, 400_000);

  it('imports each object; only the role\'s password, which cannot be read back, is set again', async () => {
    const label = (await tf.expect([0], 'output', '-raw', 'backup_label')).output.trim();
    const other = terraformDir(join(workspace.work, 'imported'));
    other.configure(config(stateDir, repo, block.base, settings).replace(/triggers\s+= \{[^}]*\}\n/, ''));
    await other.expect([0], 'import', 'polygres_cluster.main', stateDir);
    await other.expect([0], 'import', 'polygres_role.app', `${stateDir}:app`);
    await other.expect([0], 'import', 'polygres_database.app', `${stateDir}:appdb`);
    await other.expect([0], 'import', 'polygres_backup_schedule.main', stateDir);
    await other.expect([0], 'import', 'polygres_backup.now', `${stateDir}:${label}`);
    const plan = await other.run('plan', '-detailed-exitcode');
    expect(plan.code, plan.output).toBe(2);
    expect(plan.output).toContain('polygres_role.app will be updated in-place');
    expect(plan.output).toContain('0 to add, 1 to change, 0 to destroy');
  }, 200_000);

  it('destroy succeeds with every object and removes the cluster', async () => {
    await tf.expect([0], 'destroy', '-auto-approve');
    expect(existsSync(stateDir)).toBe(false);
  }, 200_000);
});

describe('plan-time validation of day-2 objects', () => {
  it('points at the attribute: a bad cron field, a reserved role, an unknown backup type', async () => {
    const work = mkdtempSync(join(inject('testRoot'), 'provider-invalid-objects-'));
    const tf = terraformDir(join(work, 'tf'));
    tf.configure(`${REQUIRED_PROVIDERS}
resource "polygres_backup_schedule" "bad" {
  cluster_id = "/nowhere"
  full       = "0 25 * * *"
}

resource "polygres_role" "bad" {
  cluster_id = "/nowhere"
  name       = "replicator"
}

resource "polygres_backup" "bad" {
  cluster_id = "/nowhere"
  type       = "weekly"
}
`);
    const plan = await tf.run('plan');
    expect(plan.code).toBe(1);
    expect(plan.output).toMatch(/full: .*hour/);
    expect(plan.output).toMatch(/with polygres_backup_schedule\.bad,[\s\S]*full\s+= "0 25 \* \* \*"/);
    expect(plan.output).toContain('name: "replicator" is managed by Polygres');
    expect(plan.output).toContain('type: "weekly" is not a backup type');
  }, 120_000);
});

/** The local target: the ClusterSpec file `polygres up --spec` runs, written at synth. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, TerraformStack } from 'cdktf';
import { afterEach, describe, expect, it } from 'vitest';
import { validateSpec } from '../../runtime/src/spec';
import { BackupPolicy, BackupRepository, DurabilityPolicy, PolygresCluster, Target, Zone } from '../src';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function synthLocal(durability: DurabilityPolicy, customize: (cluster: PolygresCluster) => void = () => undefined) {
  const outdir = mkdtempSync(join(tmpdir(), 'polygres-constructs-'));
  dirs.push(outdir);
  const app = new App({ outdir });
  const stack = new TerraformStack(app, 'dev');
  const cluster = new PolygresCluster(stack, 'Shop', {
    zones: [Zone.of('zone-a', { instances: 2 }), Zone.of('zone-b')],
    durability,
    target: Target.local({ basePort: 25432, stateDir: '/tmp/shop' }),
    postgres: { parameters: { work_mem: '32MB' } },
    backup: BackupPolicy.pgBackRest({ repository: BackupRepository.posix('/var/tmp/shop-backups'), encrypted: true }),
  });
  customize(cluster);
  app.synth();
  return { outdir, cluster, stackDir: join(outdir, 'stacks', 'dev') };
}

describe('local target', () => {
  it('writes a ClusterSpec file the runtime accepts, with the command that runs it', () => {
    const { stackDir, cluster } = synthLocal(DurabilityPolicy.multiZone(2));
    const text = readFileSync(join(stackDir, 'polygres', 'shop.spec.json'), 'utf8');
    expect(text).toBe(cluster.specJson);
    const { spec, warnings } = validateSpec(JSON.parse(text));
    expect(warnings).toEqual([]);
    expect(spec.name).toBe('shop');
    expect(spec.instances).toEqual([{ name: 'zone-a-0', zone: 'zone-a' }, { name: 'zone-a-1', zone: 'zone-a' }, { name: 'zone-b-0', zone: 'zone-b' }]);
    expect(spec.durability).toEqual({ policy: 'multiZone', n: 2 });
    expect(spec.gateway.tls.mode).toBe('generate');
    expect(spec.backup?.repositories).toEqual([{ type: 'posix', path: '/var/tmp/shop-backups' }]);
    expect(spec.zones.every((zone) => zone.kubernetes === undefined)).toBe(true);
    const terraform = JSON.parse(readFileSync(join(stackDir, 'cdk.tf.json'), 'utf8'));
    expect(Object.values(terraform.output).map((o) => (o as { value: string }).value)).toEqual([
      'npx polygres up --spec cdktf.out/stacks/dev/polygres/shop.spec.json --state-dir /tmp/shop --base-port 25432 --detach',
    ]);
  });

  it('renders a polygres_cluster resource that runs the same spec, with the roles and databases', () => {
    const { stackDir, cluster } = synthLocal(DurabilityPolicy.atLeast(2), (c) => {
      c.addDatabase('shop');
      c.addDatabase('reports');
      c.addUser('shop_app', { databases: ['shop'] });
      c.addUser('analyst');
    });
    const terraform = JSON.parse(readFileSync(join(stackDir, 'cdk.tf.json'), 'utf8'));
    expect(Object.keys(terraform.provider)).toContain('polygres');
    const [resource] = Object.values(terraform.resource.polygres_cluster) as { spec_json: string; state_dir: string; base_port: number }[];
    expect(JSON.parse(resource!.spec_json)).toEqual(JSON.parse(cluster.specJson!));
    expect(resource).toMatchObject({ state_dir: '/tmp/shop', base_port: 25432 });
    // The provider generates the passwords: no other provider, and no password in the JSON.
    expect(Object.keys(terraform.provider)).toEqual(['polygres']);
    const roles = Object.values(terraform.resource.polygres_role) as { name: string; password?: string; generate_password: boolean; cluster_id: string }[];
    expect(roles.map((r) => r.name).sort()).toEqual(['analyst', 'shop_app']);
    for (const role of roles) {
      expect(role.password).toBeUndefined();
      expect(role.generate_password).toBe(true);
      expect(role.cluster_id).toMatch(/^\$\{polygres_cluster\.[^.]+\.id\}$/);
    }
    const databases = Object.values(terraform.resource.polygres_database) as { name: string; owner: string }[];
    expect(databases.find((d) => d.name === 'shop')!.owner).toMatch(/^\$\{polygres_role\.[^.]+\.name\}$/);
    expect(databases.find((d) => d.name === 'reports')!.owner).toBe('postgres');
    const passwords = Object.values(terraform.output).filter((o) => (o as { sensitive?: boolean }).sensitive) as { value: string }[];
    expect(passwords.map((o) => o.value).sort()).toEqual(roles.map(() => expect.stringMatching(/^\$\{polygres_role\.[^.]+\.password\}$/)));
  });

  it('writes the same warnings the runtime gives', () => {
    const { stackDir } = synthLocal(DurabilityPolicy.none());
    const { warnings } = validateSpec(JSON.parse(readFileSync(join(stackDir, 'polygres', 'shop.spec.json'), 'utf8')));
    expect(warnings.map((w) => w.message)).toEqual(['none() replicates asynchronously: a failover can lose acknowledged commits']);
  });
});

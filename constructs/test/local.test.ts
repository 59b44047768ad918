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

function synthLocal(durability: DurabilityPolicy) {
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
    expect(terraform.resource).toBeUndefined();
  });

  it('writes the same warnings the runtime gives', () => {
    const { stackDir } = synthLocal(DurabilityPolicy.none());
    const { warnings } = validateSpec(JSON.parse(readFileSync(join(stackDir, 'polygres', 'shop.spec.json'), 'utf8')));
    expect(warnings.map((w) => w.message)).toEqual(['none() replicates asynchronously: a failover can lose acknowledged commits']);
  });
});

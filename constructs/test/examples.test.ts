/**
 * Both examples synthesize with the cdktf CLI without network (a dead proxy makes any
 * attempt fail), and the multi-AZ example's Terraform JSON is guarded by a snapshot.
 * They import the built package (`npm run build -w constructs` first; `npm test` does).
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Testing } from 'cdktf';
import { describe, expect, it } from 'vitest';
import { validateSpec } from '../../runtime/src/spec';
import { KubernetesMultiAzStack } from '../../examples/kubernetes-multi-az/stack';

const examples = resolve(__dirname, '..', '..', 'examples');

/**
 * The cdktf CLI (0.21, the last release) loads a terminal module built for Node 22 and older
 * (prebuilt up to ABI 127); on Node 24 it cannot start at all. CI runs the unit tests on the
 * image's Node 24 too, where only these CLI runs are left out; the constructs themselves (and
 * the synth through Testing below) run on both.
 */
const cdktfCliLoads = (() => {
  try {
    createRequire(__filename)('@cdktf/node-pty-prebuilt-multiarch');
    return true;
  } catch {
    return false;
  }
})();

function cdktfSynth(example: string): string {
  const output = mkdtempSync(join(tmpdir(), `polygres-${example}-`));
  const result = spawnSync('npx', ['--no-install', 'cdktf', 'synth', '--output', output], {
    cwd: join(examples, example),
    encoding: 'utf8',
    env: { ...process.env, CHECKPOINT_DISABLE: '1', CI: '1', HTTP_PROXY: 'http://127.0.0.1:9', HTTPS_PROXY: 'http://127.0.0.1:9', npm_config_offline: 'true' },
    timeout: 240_000,
  });
  if (result.status !== 0) throw new Error(`cdktf synth of ${example} failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
  return output;
}

describe('examples', () => {
  it.runIf(cdktfCliLoads)('local-three-zone: cdktf synth renders polygres_cluster and a spec the runtime runs', () => {
    const output = cdktfSynth('local-three-zone');
    try {
      const { spec } = validateSpec(JSON.parse(readFileSync(join(output, 'stacks', 'local-three-zone', 'polygres', 'local.spec.json'), 'utf8')));
      expect(spec.zones.map((zone) => zone.name)).toEqual(['zone-a', 'zone-b', 'zone-c']);
      expect(spec.durability).toEqual({ policy: 'atLeast', n: 2 });
      const terraform = JSON.parse(readFileSync(join(output, 'stacks', 'local-three-zone', 'cdk.tf.json'), 'utf8'));
      const [cluster] = Object.values(terraform.resource.polygres_cluster) as { spec_json: string }[];
      expect(JSON.parse(cluster!.spec_json)).toEqual(spec);
      expect(Object.values(terraform.resource.polygres_role)).toMatchObject([{ name: 'shop_app' }]);
    } finally {
      rmSync(output, { recursive: true, force: true });
    }
  }, 300_000);

  it.runIf(cdktfCliLoads)('kubernetes-multi-az: cdktf synth renders the cluster across three zones', () => {
    const output = cdktfSynth('kubernetes-multi-az');
    try {
      const terraform = JSON.parse(readFileSync(join(output, 'stacks', 'kubernetes-multi-az', 'cdk.tf.json'), 'utf8'));
      const [configMap] = Object.values(terraform.resource.kubernetes_config_map_v1) as { data: Record<string, string> }[];
      const { spec } = validateSpec(JSON.parse(configMap!.data['spec.json']!));
      expect(spec.durability).toEqual({ policy: 'surviveZoneFailure' });
      expect(spec.backup?.repositories[0]).toMatchObject({ type: 's3', bucket: 'acme-orders-backups' });
      expect(Object.keys(terraform.resource.kubernetes_stateful_set_v1)).toHaveLength(4);
    } finally {
      rmSync(output, { recursive: true, force: true });
    }
  }, 300_000);

  it('kubernetes-multi-az: the synthesized JSON matches the snapshot', () => {
    const stack = new KubernetesMultiAzStack(Testing.app(), 'kubernetes-multi-az');
    expect(JSON.parse(Testing.synth(stack, true))).toMatchSnapshot();
  });
});

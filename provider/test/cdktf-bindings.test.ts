import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { TerraformStack, Testing } from 'cdktf';
import { describe, expect, it } from 'vitest';
import { BINDINGS_DIR, renderBindings } from '../src/cdktf/render-bindings';
import { PolygresClusterResource, PolygresClusterStatusDataSource, PolygresDurabilityPolicyResource, PolygresProvider, PolygresRoleResource } from '../../constructs/src/render/polygres-provider';

describe('cdktf bindings', () => {
  it('are generated from the current schemas (npm run bindings -w provider)', () => {
    const dir = join(__dirname, '..', '..', BINDINGS_DIR);
    const rendered = renderBindings();
    expect(readdirSync(dir).sort()).toEqual([...rendered.keys()].sort());
    for (const [name, text] of rendered) expect(readFileSync(join(dir, name), 'utf8'), name).toBe(text);
  });

  it('synthesize the provider, resources with their attributes, and references between them', () => {
    const stack = new TerraformStack(Testing.app(), 'stack');
    new PolygresProvider(stack, 'polygres', { adminToken: 'token' });
    const cluster = new PolygresClusterResource(stack, 'main', { stateDir: '/var/lib/polygres/x', specJson: '{"name":"x"}', basePort: 24000 });
    new PolygresDurabilityPolicyResource(stack, 'policy', { clusterId: cluster.id, policy: 'atLeast', n: 2 });
    new PolygresRoleResource(stack, 'app', { clusterId: cluster.id, name: 'app', password: 'secret', login: true });
    new PolygresClusterStatusDataSource(stack, 'status', { clusterId: cluster.id });
    const json = JSON.parse(Testing.synth(stack)) as any;
    expect(json.terraform.required_providers.polygres).toEqual({ source: 'polygres/polygres', version: '0.1.0' });
    expect(json.provider.polygres).toEqual([{ admin_token: 'token' }]);
    expect(json.resource.polygres_cluster.main).toMatchObject({ state_dir: '/var/lib/polygres/x', spec_json: '{"name":"x"}', base_port: 24000 });
    expect(json.resource.polygres_durability_policy.policy).toMatchObject({ cluster_id: '${polygres_cluster.main.id}', policy: 'atLeast', n: 2 });
    expect(json.resource.polygres_role.app).toMatchObject({ cluster_id: '${polygres_cluster.main.id}', name: 'app', password: 'secret', login: true });
    expect(json.data.polygres_cluster_status.status).toMatchObject({ cluster_id: '${polygres_cluster.main.id}' });
    expect(json.resource.polygres_cluster.main).not.toHaveProperty('running');
  });
});

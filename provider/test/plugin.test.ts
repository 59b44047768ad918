import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runtime } from '@polygres/runtime';

const { createCertificate } = runtime.tls;
import { encodeMsgpack } from '../src/msgpack/encode';
import { decodeMsgpack } from '../src/msgpack/decode';
import { type LaunchedPlugin, buildProvider, callPlugin, clientCertificate, launchPlugin, parseHandshake, terraformEnv } from './plugin-process';

const PROVIDER = 'tfplugin6.Provider';
const launched: LaunchedPlugin[] = [];
const launch = (env: NodeJS.ProcessEnv) => {
  const plugin = launchPlugin(env);
  launched.push(plugin);
  return plugin;
};

beforeAll(() => buildProvider(), 60_000);
afterEach(() => {
  for (const plugin of launched.splice(0)) plugin.child.kill('SIGKILL');
});

describe('plugin launch', () => {
  it('refuses politely when not started by Terraform, printing nothing on stdout', async () => {
    const plugin = launch({});
    await expect(plugin.line).rejects.toThrow(/plugin that Terraform starts by itself/);
    expect((await plugin.exited).code).toBe(1);
  });

  it('refuses a Terraform that does not speak protocol 6', async () => {
    const plugin = launch(terraformEnv(await clientCertificate(), { PLUGIN_PROTOCOL_VERSIONS: '5' }));
    await expect(plugin.line).rejects.toThrow(/speaks plugin protocol 6/);
  });

  it('prints one handshake line: protocol 6, a port in range, its certificate for localhost in unpadded base64', async () => {
    const plugin = launch(terraformEnv(await clientCertificate()));
    const line = await plugin.line;
    expect(line).toMatch(/^1\|6\|tcp\|127\.0\.0\.1:\d+\|grpc\|[A-Za-z0-9+/]+$/);
    const { port, serverCertificate } = parseHandshake(line);
    expect(port).toBeGreaterThanOrEqual(10_000);
    expect(port).toBeLessThanOrEqual(25_000);
    expect(serverCertificate.subjectAltName).toBe('DNS:localhost');
    expect(serverCertificate.checkHost('localhost')).toBe('localhost');
  });
});

describe('plugin over mutual TLS', () => {
  it('serves Terraform (health, schema) and refuses a client with another certificate, staying up', async () => {
    const terraform = await clientCertificate();
    const plugin = launch(terraformEnv(terraform));
    const handshake = parseHandshake(await plugin.line);
    expect(await callPlugin(handshake, terraform, 'grpc.health.v1.Health', 'Check', { service: 'plugin' })).toEqual({ status: 1 });

    const stranger = await createCertificate({ commonName: 'stranger', names: ['localhost'] });
    await expect(callPlugin(handshake, stranger, PROVIDER, 'GetProviderSchema')).rejects.toMatchObject({ code: 14 });

    const schema = await callPlugin(handshake, terraform, PROVIDER, 'GetProviderSchema');
    expect(Object.keys(schema.resourceSchemas as object)).toEqual(expect.arrayContaining(['polygres_cluster', 'polygres_durability_policy', 'polygres_primary']));
    expect(Object.keys(schema.dataSourceSchemas as object)).toContain('polygres_cluster_status');
  });

  it('answers malformed msgpack with an error diagnostic and keeps serving', async () => {
    const terraform = await clientCertificate();
    const plugin = launch(terraformEnv(terraform));
    const handshake = parseHandshake(await plugin.line);
    const response = await callPlugin(handshake, terraform, PROVIDER, 'PlanResourceChange', {
      typeName: 'polygres_cluster',
      config: { msgpack: Buffer.from([0x85, 0xa1]) },
      proposedNewState: { msgpack: Buffer.from([0xc1]) },
    });
    expect(response.diagnostics).toEqual([expect.objectContaining({ severity: 1, summary: expect.stringContaining('malformed value from Terraform') })]);
    expect(await callPlugin(handshake, terraform, 'grpc.health.v1.Health', 'Check', {})).toEqual({ status: 1 });
  });

  it('upgrades JSON state into msgpack with every attribute of the schema', async () => {
    const terraform = await clientCertificate();
    const handshake = parseHandshake(await launch(terraformEnv(terraform)).line);
    const response = await callPlugin(handshake, terraform, PROVIDER, 'UpgradeResourceState', {
      typeName: 'polygres_primary',
      rawState: { json: Buffer.from('{"id":"/x","cluster_id":"/x","instance":"a0"}') },
    });
    const state = decodeMsgpack((response.upgradedState as { msgpack: Buffer }).msgpack);
    expect(state).toEqual({ id: '/x', cluster_id: '/x', instance: 'a0', zone: null });
  });

  it('validates a cluster spec with the runtime rules, the diagnostic at spec_json', async () => {
    const terraform = await clientCertificate();
    const handshake = parseHandshake(await launch(terraformEnv(terraform)).line);
    const spec = { apiVersion: 'polygres.dev/v1', name: 'x', zones: [{ name: 'a' }], instances: [{ name: 'a0', zone: 'z' }], durability: { policy: 'none' } };
    const config = { id: null, spec_json: JSON.stringify(spec), state_dir: '/tmp/x', base_port: null, running: null, name: null, connection_url: null, superuser_password: null, gateways: null };
    const response = await callPlugin(handshake, terraform, PROVIDER, 'ValidateResourceConfig', { typeName: 'polygres_cluster', config: { msgpack: encodeMsgpack(config) } });
    expect(response.diagnostics).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ severity: 1, summary: expect.stringContaining('instances[0].zone: zone "z" is not declared'), attribute: { steps: [{ attributeName: 'spec_json' }] } }),
      ]),
    );
  });

  it('ignores SIGINT and stdin closing, and exits on the controller\'s Shutdown', async () => {
    const terraform = await clientCertificate();
    const plugin = launch(terraformEnv(terraform));
    const handshake = parseHandshake(await plugin.line);
    plugin.child.stdin!.end();
    plugin.child.kill('SIGINT');
    expect(await callPlugin(handshake, terraform, 'grpc.health.v1.Health', 'Check', {})).toEqual({ status: 1 });
    await callPlugin(handshake, terraform, 'plugin.GRPCController', 'Shutdown').catch(() => undefined);
    expect(await plugin.exited).toEqual({ code: 0, signal: null });
  });
});

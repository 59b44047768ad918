/**
 * The CLI's promises around `up` and `down`: invalid specs are refused before anything
 * starts, two clusters run side by side, the foreground mode stops everything on Ctrl-C.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { allPorts } from '../../runtime/src/deployment/layout';
import { readLayoutOfStateDir } from '../../runtime/src/deployment/layout-file';
import { canBind, waitFor } from '../../runtime/src/util/net';
import { defaultSpec } from '../../runtime/src/spec/defaults';
import { startLocalCluster } from '../support/local-cluster';
import { claimPortBlock } from '../support/ports';
import { POLYGRES, polygres } from '../support/polygres-cli';

function specFile(edit: (spec: any) => void): string {
  const spec = JSON.parse(JSON.stringify(defaultSpec()));
  edit(spec);
  const dir = mkdtempSync(join(inject('testRoot'), 'spec-'));
  const file = join(dir, 'spec.json');
  writeFileSync(file, JSON.stringify(spec));
  return file;
}

describe('polygres up refuses a bad spec before anything starts', () => {
  const cases: [string, (spec: any) => void, string][] = [
    ['an instance in an unknown zone', (spec) => (spec.instances[2].zone = 'zone-z'), 'instances[2].zone: zone "zone-z" is not declared'],
    ['atLeast(4) with three instances', (spec) => (spec.durability = { policy: 'atLeast', n: 4 }), 'durability: atLeast(4) needs at least 4 instances'],
    ['a negative port', (spec) => (spec.gateway.port = -1), 'gateway.port: must be between 1 and 65535'],
  ];
  for (const [what, edit, message] of cases) {
    it(`rejects ${what}`, async () => {
      const stateDir = join(inject('testRoot'), `never-${Math.random().toString(36).slice(2)}`);
      const result = await polygres(['up', '--detach', '--spec', specFile(edit), '--state-dir', stateDir]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(message);
      expect(existsSync(stateDir)).toBe(false);
    });
  }

  it('rejects a base port that leaves no room for the cluster', async () => {
    const result = await polygres(['up', '--detach', '--base-port', '65530', '--state-dir', join(inject('testRoot'), 'never-port')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('--base-port must be an integer from 1024');
  });
});

describe('two clusters side by side', () => {
  it('run with different state directories and base ports, and stop independently', async () => {
    const root = inject('testRoot');
    const first = await startLocalCluster(root);
    const second = await startLocalCluster(root, {
      apiVersion: 'polygres.dev/v1',
      name: 'second',
      zones: [{ name: 'east' }, { name: 'west' }],
      instances: [
        { name: 'east-0', zone: 'east' },
        { name: 'west-0', zone: 'west' },
      ],
      durability: { policy: 'multiZone', n: 2 },
    });
    try {
      await first.query('CREATE TABLE only_in_first (id int)');
      const tables = await second.query<{ count: string }>("SELECT count(*) FROM pg_tables WHERE tablename = 'only_in_first'");
      expect(tables[0]?.count).toBe('0');
      const [setting] = await second.query<{ synchronous_standby_names: string }>('SHOW synchronous_standby_names');
      expect(setting?.synchronous_standby_names).toBe('ANY 1 ("west-0")');
      await first.stop();
      const [row] = await second.query<{ ok: number }>('SELECT 1 AS ok');
      expect(row?.ok).toBe(1);
      expect((await second.status()).primary).toBe('east-0');
    } finally {
      await first.stop().catch(() => undefined);
      await second.stop();
    }
  });
});

describe('polygres up in the foreground', () => {
  it('serves until SIGINT, then stops every process and frees every port', async () => {
    const stateDir = mkdtempSync(join(inject('testRoot'), 'fg-'));
    const block = await claimPortBlock();
    const child = spawn(process.execPath, [POLYGRES, 'up', '--state-dir', stateDir, '--base-port', String(block.base)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await waitFor('ready', () => (output.includes('is ready') ? true : undefined), { timeoutMs: 120_000 });
      expect(output).toContain('stop:    press Ctrl-C');
      const layout = readLayoutOfStateDir(stateDir);
      child.kill('SIGINT');
      expect(await exited).toBe(0);
      expect(output).toContain('Cluster stopped.');
      for (const { port } of allPorts(layout)) expect(await canBind('127.0.0.1', port), `port ${port}`).toBe(true);
    } finally {
      child.kill('SIGKILL');
      await polygres(['down', '--purge', '--state-dir', stateDir]);
      block.release();
    }
  });
});

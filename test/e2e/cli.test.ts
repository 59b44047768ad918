/**
 * The CLI's promises around `up` and `down`: invalid specs are refused before anything
 * starts, two clusters run side by side, the foreground mode stops everything on Ctrl-C.
 */
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
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
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(message);
      expect(existsSync(stateDir)).toBe(false);
    });
  }

  it('refuses a backup repository the Postgres account cannot reach, saying how to fix it', async () => {
    const privateDir = mkdtempSync(join(inject('testRoot'), 'private-'));
    chmodSync(privateDir, 0o700);
    const repository = join(privateDir, 'repository');
    const stateDir = join(inject('testRoot'), `never-repo-${Math.random().toString(36).slice(2)}`);
    const result = await polygres(['up', '--detach', '--spec', specFile((spec) => (spec.backup.repositories = [{ type: 'posix', path: repository }])), '--state-dir', stateDir]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`cannot reach the backup repository ${repository}: make its parent directories searchable (chmod o+x on each)`);
    await polygres(['down', '--purge', '--yes', '--state-dir', stateDir]);
  });

  it('rejects a base port that leaves no room for the cluster', async () => {
    const result = await polygres(['up', '--detach', '--base-port', '65530', '--state-dir', join(inject('testRoot'), 'never-port')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--base-port must be an integer from 1024');
  });
});

describe('the CLI says what went wrong, and its exit code says whose fault it is', () => {
  it('prints its version', async () => {
    const result = await polygres(['--version']);
    const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', 'runtime', 'package.json'), 'utf8')) as { version: string };
    expect(result).toMatchObject({ code: 0, stdout: `${pkg.version}\n` });
  });

  it('exits 2 on usage and validation errors, 1 on failures, 0 for help', async () => {
    expect((await polygres(['status', '--no-such-flag'])).code).toBe(2);
    expect((await polygres(['no-such-command'])).code).toBe(2);
    expect((await polygres(['set-durability', 'atMost:2', '--state-dir', inject('testRoot')])).code).toBe(2);
    const invalid = await polygres(['spec', '--validate', specFile((spec) => (spec.instances[0].zone = 'zone-z'))]);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toContain('instances[0].zone');
    expect((await polygres(['--help'])).code).toBe(0);
  });

  it('spec --validate refuses a misspelled Postgres parameter with exit 2, naming the right one', async () => {
    const result = await polygres(['spec', '--validate', specFile((spec) => (spec.postgres.parameters = { shared_bufers: '256MB' }))]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('postgres.parameters.shared_bufers: "shared_bufers" is not a Postgres parameter (fix: did you mean "shared_buffers"?)');
  });

  it('says there is no cluster, and how to start one, instead of a file error', async () => {
    const empty = mkdtempSync(join(inject('testRoot'), 'empty-'));
    for (const command of [['status'], ['switchover', '--yes'], ['history'], ['backup'], ['pools'], ['logs']]) {
      const result = await polygres([...command, '--state-dir', empty]);
      expect(result.code, command.join(' ')).toBe(1);
      expect(result.stderr).toBe(`polygres: no cluster in ${empty}; start one with \`polygres up\` (or pass --state-dir)\n`);
    }
  });

  it('down --purge on a directory that holds no cluster deletes nothing in it', async () => {
    const foreign = mkdtempSync(join(inject('testRoot'), 'foreign-'));
    writeFileSync(join(foreign, 'precious.txt'), 'keep me');
    const result = await polygres(['down', '--purge', '--yes', '--state-dir', foreign]);
    expect(result.code).toBe(0);
    expect(readFileSync(join(foreign, 'precious.txt'), 'utf8')).toBe('keep me');
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
      await polygres(['down', '--purge', '--yes', '--state-dir', stateDir]);
      block.release();
    }
  });
});

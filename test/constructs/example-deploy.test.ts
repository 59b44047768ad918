/**
 * `cdktf deploy` of examples/local-three-zone with the real cdktf CLI and terraform, offline
 * (a dead proxy), with this repository's provider from the build's filesystem mirror: the
 * cluster comes up, the declared role logs in to its database with the password the provider
 * generated, `cdktf diff` finds nothing to change, and `cdktf destroy` stops everything.
 */
import { execFile } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdtempSync, symlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { readLayoutOfStateDir } from '../../runtime/src/deployment/layout-file';
import { isAlive, readPidFile } from '../../runtime/src/util/processes';
import { supervisorPidFile } from '../../runtime/src/local/supervisor-files';
import { type PortBlock, claimPortBlock } from '../support/ports';
import { writeCliConfig } from '../provider/terraform';

const REPO = resolve(__dirname, '..', '..');
const EXAMPLE = join(REPO, 'examples', 'local-three-zone');

interface Run {
  readonly code: number;
  readonly output: string;
}

describe('examples/local-three-zone: cdktf deploy and destroy', () => {
  let block: PortBlock | undefined;
  let app: string;
  let env: NodeJS.ProcessEnv;
  let deployed = false;

  const run = (command: string, args: string[], cwd = app) =>
    new Promise<Run>((done) => {
      execFile(command, args, { cwd, env, timeout: 600_000, maxBuffer: 32 * 1024 * 1024 }, (error, stdout, stderr) => {
        done({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, output: `${stdout}${stderr}` });
      });
    });
  const cdktf = (...args: string[]) => run('npx', ['--no-install', 'cdktf', ...args, '--skip-provider-lock']);

  afterAll(async () => {
    if (deployed) await cdktf('destroy', '--auto-approve');
    block?.release();
  });

  it('deploys the cluster, its database and its user; diff is empty; destroy stops everything', async () => {
    const root = inject('testRoot');
    block = await claimPortBlock();
    app = mkdtempSync(join(root, 'example-app-'));
    chmodSync(app, 0o755); // the cluster's services and pgBackRest run as the Postgres account: they must reach it
    for (const file of ['main.ts', 'stack.ts', 'cdktf.json']) copyFileSync(join(EXAMPLE, file), join(app, file));
    symlinkSync(join(REPO, 'node_modules'), join(app, 'node_modules'));
    const rc = writeCliConfig(app, 'mirror');
    const stateDir = join(app, 'cluster');
    env = {
      ...process.env,
      TF_CLI_CONFIG_FILE: rc,
      CHECKPOINT_DISABLE: '1',
      HTTPS_PROXY: 'http://127.0.0.1:9',
      HTTP_PROXY: 'http://127.0.0.1:9',
      POLYGRES_STATE_DIR: stateDir,
      POLYGRES_BASE_PORT: String(block.base),
      POLYGRES_BACKUP_DIR: join(app, 'backups'),
    };

    deployed = true;
    const deploy = await cdktf('deploy', '--auto-approve');
    expect(deploy.code, deploy.output).toBe(0);
    expect(deploy.output).toContain('Apply complete! Resources: 3 added');

    const outputs = await run('terraform', ['-chdir=cdktf.out/stacks/local-three-zone', 'output', '-json']);
    expect(outputs.code, outputs.output).toBe(0);
    const password = Object.entries(JSON.parse(outputs.output) as Record<string, { value: string; sensitive: boolean }>).find(([name]) => name.includes('shop_app-password'))![1];
    expect(password.sensitive).toBe(true);
    expect(password.value).toMatch(/^[A-Za-z0-9]{32}$/);
    const client = new Client({ host: '127.0.0.1', port: block.base, user: 'shop_app', password: password.value, database: 'shop' });
    await client.connect();
    try {
      expect((await client.query('SELECT current_user AS who, current_database() AS db')).rows).toEqual([{ who: 'shop_app', db: 'shop' }]);
    } finally {
      await client.end();
    }

    const diff = await cdktf('diff');
    expect(diff.code, diff.output).toBe(0);
    expect(diff.output).toContain('No changes.');

    const supervisor = readPidFile(supervisorPidFile(readLayoutOfStateDir(stateDir)));
    const destroy = await cdktf('destroy', '--auto-approve');
    expect(destroy.code, destroy.output).toBe(0);
    deployed = false;
    expect(destroy.output).toContain('Destroy complete! Resources: 3 destroyed');
    expect(existsSync(stateDir)).toBe(false);
    expect(supervisor !== undefined && isAlive(supervisor)).toBe(false);
  });
});

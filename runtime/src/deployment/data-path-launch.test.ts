import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dataPathLaunchLine } from './data-path-launch';

const LAUNCHER = resolve(__dirname, '..', '..', 'bin', 'polygres-data-path');
const POLYGRES = resolve(__dirname, '..', '..', 'bin', 'polygres');
const scratch = mkdtempSync(join(tmpdir(), 'data-path-launch-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A stand-in "Bun" that prints the arguments and environment it was started with. */
function echoRuntime(): string {
  const file = join(scratch, 'bun');
  writeFileSync(file, '#!/bin/sh\nfor arg in "$@"; do echo "arg:$arg"; done\necho "purge:$MIMALLOC_PURGE_DELAY"\necho "no_proxy:$NO_PROXY"\n', { mode: 0o755 });
  return file;
}

describe('the data-path launcher (the Kubernetes target\'s gateway and pooler containers)', () => {
  it('starts a gateway or pooler on the runtime a local cluster would choose, as one exec line', () => {
    const onNode = dataPathLaunchLine('/opt/polygres/bin/polygres', ['pooler', '--instance', 'zone-a-0'], { POLYGRES_DATA_PATH_RUNTIME: 'node', POLYGRES_NODE_FLAGS: '--max-old-space-size=512' });
    expect(onNode).toBe(`exec '${process.execPath}' '--max-old-space-size=512' '/opt/polygres/bin/polygres' 'pooler' '--instance' 'zone-a-0'\n`);
    const bun = echoRuntime();
    const onBun = dataPathLaunchLine('/opt/polygres/bin/polygres', ['gateway', '--zone', 'zone-a'], { POLYGRES_BUN: bun, POLYGRES_NODE_FLAGS: '--cpu-prof' });
    expect(onBun).toBe(`exec 'env' 'NO_PROXY=127.0.0.1,localhost,::1' 'no_proxy=127.0.0.1,localhost,::1' 'MIMALLOC_PURGE_DELAY=-1' '${bun}' '/opt/polygres/bin/polygres' 'gateway' '--zone' 'zone-a'\n`);
    // Unset, the choice is the installed bun package's binary (an optional dependency, installed here as in the image).
    expect(dataPathLaunchLine('/opt/polygres/bin/polygres', ['gateway'], {})).toMatch(/ '[^']*bun(\.exe)?' '\/opt\/polygres\/bin\/polygres' 'gateway'\n$/);
  });

  it('refuses what is not the data path, and a runtime it cannot find, saying what to do', () => {
    expect(() => dataPathLaunchLine(POLYGRES, ['orchestrator', '--name', 'o'], {})).toThrow('it starts gateway or pooler, not "orchestrator": run `polygres orchestrator` for the other commands');
    expect(() => dataPathLaunchLine(POLYGRES, [], {})).toThrow('it starts gateway or pooler, not nothing');
    expect(() => dataPathLaunchLine(POLYGRES, ['gateway'], { POLYGRES_BUN: '/nowhere/bun' })).toThrow('POLYGRES_BUN=/nowhere/bun does not exist');
  });

  it('runs the service in its own place with its arguments intact, the layout\'s hosts kept off a proxy', () => {
    const layout = join(scratch, 'layout.json');
    writeFileSync(layout, readLayoutFixture());
    const env: NodeJS.ProcessEnv = { ...process.env, POLYGRES_BUN: echoRuntime() };
    delete env.POLYGRES_DATA_PATH_RUNTIME;
    delete env.NO_PROXY;
    delete env.MIMALLOC_PURGE_DELAY;
    const output = execFileSync(LAUNCHER, ['gateway', '--zone', "zone 'a'", '--layout', layout], { env, encoding: 'utf8' });
    expect(output.split('\n').filter((line) => line.startsWith('arg:'))).toEqual([`arg:${POLYGRES}`, 'arg:gateway', 'arg:--zone', "arg:zone 'a'", 'arg:--layout', `arg:${layout}`]);
    expect(output).toContain('purge:-1');
    expect(output).toContain('no_proxy:127.0.0.1,localhost,::1,db-etcd.example,db-zone-a-0.example,db-gateway.example,db-orchestrator.example\n');
  });

  it('exits 2 with the reason when it cannot start the service', () => {
    const run = spawnSync(LAUNCHER, ['orchestrator'], { encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('polygres-data-path: it starts gateway or pooler, not "orchestrator"');
    expect(run.stdout).toBe('');
  });
});

/** The hosts of a layout as the Kubernetes target renders it (names, not addresses); the rest is not read. */
function readLayoutFixture(): string {
  return JSON.stringify({
    etcd: { name: 'etcd', host: 'db-etcd.example' },
    instances: [{ name: 'zone-a-0', host: 'db-zone-a-0.example' }],
    gateways: [{ zone: 'zone-a', host: 'db-gateway.example' }],
    orchestrators: [{ name: 'orchestrator-zone-a', host: 'db-orchestrator.example' }],
  });
}

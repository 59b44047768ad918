import { describe, expect, it } from 'vitest';
import { dataPathRuntime, runtimeEnvironment, runtimeExecutable, runtimeFlags } from './service-runtime';

describe('the runtime under the data path', () => {
  it('is Bun where Bun is installed and Node where not, unless POLYGRES_DATA_PATH_RUNTIME says; an unknown name says the choices', () => {
    expect(dataPathRuntime({}, () => true)).toBe('bun');
    expect(dataPathRuntime({}, () => false)).toBe('node');
    expect(dataPathRuntime({ POLYGRES_DATA_PATH_RUNTIME: 'node' }, () => true)).toBe('node');
    expect(dataPathRuntime({ POLYGRES_DATA_PATH_RUNTIME: ' bun ' }, () => false)).toBe('bun');
    // The bun package is an optional dependency of the runtime, installed here as in CI.
    expect(dataPathRuntime({})).toBe('bun');
    // A named binary makes Bun the choice, so a wrong name is an error rather than Node.
    expect(dataPathRuntime({ POLYGRES_BUN: '/nowhere/bun' })).toBe('bun');
    expect(() => dataPathRuntime({ POLYGRES_DATA_PATH_RUNTIME: 'deno' })).toThrow('POLYGRES_DATA_PATH_RUNTIME=deno is not a runtime Polygres runs on: use one of node, bun');
  });

  it('finds Bun in the optional bun package, or where POLYGRES_BUN points', () => {
    expect(runtimeExecutable('node', {})).toBe(process.execPath);
    expect(runtimeExecutable('bun', {})).toMatch(/bun(\.exe)?$/);
    expect(runtimeExecutable('bun', { POLYGRES_BUN: process.execPath })).toBe(process.execPath);
    expect(() => runtimeExecutable('bun', { POLYGRES_BUN: '/nowhere/bun' })).toThrow('POLYGRES_BUN=/nowhere/bun does not exist');
  });

  it("passes POLYGRES_NODE_FLAGS to Node only: Bun takes none of Node's flags", () => {
    expect(runtimeFlags('node', { POLYGRES_NODE_FLAGS: ' --cpu-prof  --max-old-space-size=512' })).toEqual(['--cpu-prof', '--max-old-space-size=512']);
    expect(runtimeFlags('bun', { POLYGRES_NODE_FLAGS: '--cpu-prof' })).toEqual([]);
  });

  it("keeps the cluster's own hosts off the operator's proxy on Bun, whose fetch honours HTTP_PROXY", () => {
    expect(runtimeEnvironment('node', ['10.0.0.5'], { HTTP_PROXY: 'http://proxy:3128' })).toEqual({});
    const env = runtimeEnvironment('bun', ['10.0.0.5', '127.0.0.1'], { NO_PROXY: 'corp.example, .internal' });
    expect(env.NO_PROXY).toBe('corp.example,.internal,127.0.0.1,localhost,::1,10.0.0.5');
    expect(env.no_proxy).toBe(env.NO_PROXY);
  });

  it("keeps Bun's freed pages with the process unless the operator set mimalloc's purge delay", () => {
    expect(runtimeEnvironment('bun', [], {}).MIMALLOC_PURGE_DELAY).toBe('-1');
    expect(runtimeEnvironment('bun', [], { MIMALLOC_PURGE_DELAY: '500' }).MIMALLOC_PURGE_DELAY).toBe('500');
    expect(runtimeEnvironment('node', [], {}).MIMALLOC_PURGE_DELAY).toBeUndefined();
  });
});

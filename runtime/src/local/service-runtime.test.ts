import { describe, expect, it } from 'vitest';
import { dataPathRuntime, runtimeExecutable, runtimeFlags } from './service-runtime';

describe('the runtime under the data path', () => {
  it('is Node unless POLYGRES_DATA_PATH_RUNTIME says bun, and an unknown name says the choices', () => {
    expect(dataPathRuntime({})).toBe('node');
    expect(dataPathRuntime({ POLYGRES_DATA_PATH_RUNTIME: ' bun ' })).toBe('bun');
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
});

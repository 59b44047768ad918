import { describe, expect, it } from 'vitest';
import { type CpuProfile, budgetOf } from './cpu-profile-budget';

const ours = (file: string) => `file:///opt/polygres/runtime/dist/${file}`;

/** root → { onClientData → push → (native write), Node's `send` → flushToServer, classify, GC, idle } */
const profile: CpuProfile = {
  nodes: [
    { id: 1, callFrame: { functionName: '(root)', url: '' }, children: [2, 5, 7, 9, 10, 11] },
    { id: 2, callFrame: { functionName: 'onClientData', url: ours('session/client-connection.js') }, children: [3] },
    { id: 3, callFrame: { functionName: 'push', url: ours('protocol/framer.js') }, children: [4] },
    { id: 4, callFrame: { functionName: 'writeBuffer', url: '' } },
    { id: 5, callFrame: { functionName: 'processTicksAndRejections', url: 'node:internal/process/task_queues' }, children: [6] },
    { id: 6, callFrame: { functionName: 'flushToServer', url: ours('session/socket-output.js') }, children: [8] },
    { id: 8, callFrame: { functionName: 'send', url: 'node:internal/child_process' } },
    { id: 7, callFrame: { functionName: 'classify', url: ours('sql/classify.js') } },
    { id: 9, callFrame: { functionName: '(garbage collector)', url: '' } },
    { id: 10, callFrame: { functionName: '(idle)', url: '' } },
    { id: 11, callFrame: { functionName: 'runMicrotasks', url: '' } },
  ],
  samples: [4, 3, 8, 7, 9, 10, 10, 11],
  timeDeltas: [10, 20, 30, 40, 50, 1000, 1000, 60],
};

describe('the CPU budget from a profile', () => {
  it('gives each sample to the innermost component on its stack, runtime work included, and leaves idle out', () => {
    const budget = budgetOf(profile);
    expect(budget.get('client read')).toBe(30); // the native write under the framer under onClientData
    // Node's own `send` is not ours: the flush above it decides.
    expect(budget.get('server write')).toBe(30);
    expect(budget.get('classify')).toBe(40);
    expect(budget.get('garbage collection')).toBe(50);
    expect(budget.get('runtime and other')).toBe(60);
    expect([...budget.values()].reduce((a, b) => a + b, 0)).toBe(210);
  });
});

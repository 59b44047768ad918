import { describe, expect, it } from 'vitest';
import { planLayout } from '../deployment/layout';
import { defaultSpec } from '../spec/defaults';
import { clusterChildren, stopGroups } from './children';

const layout = planLayout({ spec: defaultSpec(), stateDir: '/tmp/x', basePort: 15432 });

describe('the order a killed supervisor\'s children are stopped in by `polygres down`', () => {
  it('is the supervisor\'s own: every child in the group it stops in', () => {
    const groups = stopGroups(layout);
    const children = clusterChildren(layout);
    expect(children.map((child) => [child.name, groups.get(child.name)])).toEqual(children.map((child) => [child.name, child.stopGroup]));
    expect(groups.size).toBe(children.length);
  });

  it('stops the orchestrators before any pooler (a primary seen stopping must not be failed over), and etcd last', () => {
    const groups = stopGroups(layout);
    const group = (name: string) => groups.get(name)!;
    expect(group('gateway-zone-a')).toBeGreaterThan(group('orchestrator-zone-a'));
    expect(group('orchestrator-zone-a')).toBeGreaterThan(group('pooler-zone-a-0'));
    expect(group('pooler-zone-a-0')).toBeGreaterThan(group('etcd'));
  });
});

import { describe, expect, it } from 'vitest';
import { placedInZone, zoneNetworkRefusals, zoneNetworksOf } from './zone-placement';
import type { ChildSpec } from './supervisor';

describe('zone networks on the local target', () => {
  const child: ChildSpec = { name: 'pooler-zone-a-0', command: '/usr/bin/node', args: ['polygres', 'pooler'], logFile: '/l', pidFile: '/p', stopGroup: 1, user: { name: 'postgres', uid: 999, gid: 998 } };

  it("runs a process in its zone's namespace, taking the service account after entering it, with the command's own arguments", () => {
    const placed = placedInZone(child, { netns: 'ns-a', ip: '10.9.1.1' });
    expect(placed.command).toBe('ip');
    expect(placed.args).toEqual(['netns', 'exec', 'ns-a', 'setpriv', '--reuid=999', '--regid=998', '--init-groups', '--', '/usr/bin/node', 'polygres', 'pooler']);
    // Entering a namespace needs root: the account is not taken at spawn.
    expect(placed.user).toBeUndefined();
    expect(placedInZone(child, undefined)).toBe(child);
  });

  it('takes --zone-network for every zone, and names the flag and the fix for each mistake', () => {
    const zones = ['zone-a', 'zone-b'];
    const exists = (netns: string) => netns !== 'missing';
    expect(zoneNetworksOf([], zones, exists)).toBeUndefined();
    const asRoot = process.getuid?.() === 0;
    if (asRoot) expect(zoneNetworksOf(['zone-a=na@10.9.1.1', 'zone-b=nb@10.9.1.2'], zones, exists)).toEqual({ 'zone-a': { netns: 'na', ip: '10.9.1.1' }, 'zone-b': { netns: 'nb', ip: '10.9.1.2' } });
    expect(() => zoneNetworksOf(['zone-a:na'], zones, exists)).toThrow(/--zone-network zone-a:na: write it as <zone>=<network namespace>@<IPv4 address>/);
    expect(() => zoneNetworksOf(['zone-x=na@10.9.1.1'], zones, exists)).toThrow(/no zone "zone-x" \(its zones: zone-a, zone-b\)/);
    expect(() => zoneNetworksOf(['zone-a=missing@10.9.1.1'], zones, exists)).toThrow(/no network namespace "missing": create it first/);
    expect(() => zoneNetworksOf(['zone-a=na@10.9.1.1'], zones, exists)).toThrow(/every zone needs one, and zone-b has none/);
    expect(() => zoneNetworksOf(['zone-a=na@10.9.1.1', 'zone-a=nb@10.9.1.2'], zones, exists)).toThrow(/zone "zone-a" is given twice/);
  });

  it('apply refuses a new zone for a cluster with zone networks, and only then', () => {
    const zoneNetworks = { 'zone-a': { netns: 'na', ip: '10.9.1.1' } };
    const refusals = zoneNetworkRefusals({ zoneNetworks }, { zones: [{ name: 'zone-a' }, { name: 'zone-d' }] } as never);
    expect(refusals).toHaveLength(1);
    expect(refusals[0]).toMatchObject({ path: 'zones', effect: 'refused' });
    expect(refusals[0]!.why).toMatch(/zone-d has none: create the cluster again with a --zone-network for every zone/);
    expect(zoneNetworkRefusals({ zoneNetworks }, { zones: [{ name: 'zone-a' }] } as never)).toEqual([]);
    expect(zoneNetworkRefusals({}, { zones: [{ name: 'zone-a' }, { name: 'zone-d' }] } as never)).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { defaultSpec } from '../spec/defaults';
import { allPorts, colocatedInstances, etcdEndpoints, etcdMembers, hasColocatedGateway, planLayout, portsNeeded } from './layout';

describe('local cluster layout', () => {
  const spec = defaultSpec();
  const layout = planLayout({ spec, stateDir: '/tmp/x', basePort: 15432 });

  it('puts the first zone gateway on the base port', () => {
    expect(layout.gateways[0]).toMatchObject({ zone: 'zone-a', host: '127.0.0.1', port: 15432 });
  });

  it('uses a contiguous block of distinct ports, as many as portsNeeded says', () => {
    const ports = allPorts(layout).map((p) => p.port);
    expect(new Set(ports).size).toBe(ports.length);
    expect(ports.length).toBe(portsNeeded(spec));
    expect(Math.min(...ports)).toBe(15432);
    expect(Math.max(...ports)).toBe(layout.portRange[1]);
    expect(layout.portRange[1] - layout.portRange[0] + 1).toBe(ports.length);
  });

  it('never overlaps a cluster whose base port is outside its block', () => {
    const other = planLayout({ spec, stateDir: '/tmp/y', basePort: layout.portRange[1] + 1 });
    const mine = new Set(allPorts(layout).map((p) => p.port));
    expect(allPorts(other).some((p) => mine.has(p.port))).toBe(false);
  });

  it('places one pooler per instance, one gateway and one orchestrator per zone', () => {
    expect(layout.instances.map((i) => i.name)).toEqual(['zone-a-0', 'zone-b-0', 'zone-c-0']);
    expect(layout.gateways.map((g) => g.zone)).toEqual(['zone-a', 'zone-b', 'zone-c']);
    expect(layout.orchestrators.map((o) => o.zone)).toEqual(['zone-a', 'zone-b', 'zone-c']);
    expect(layout.instances[1]?.instanceDir).toBe('/tmp/x/data/zone-b-0');
  });

  it("co-locates each zone's instances with that zone's gateway only, and only on the same host", () => {
    expect(layout.gateways.map((gateway) => colocatedInstances(layout, gateway).map((i) => i.name))).toEqual([['zone-a-0'], ['zone-b-0'], ['zone-c-0']]);
    expect(layout.instances.every((instance) => hasColocatedGateway(layout, instance))).toBe(true);
    const apart = { ...layout, gateways: layout.gateways.map((gateway) => ({ ...gateway, host: `gateway-${gateway.zone}.svc` })) };
    expect(apart.gateways.flatMap((gateway) => colocatedInstances(apart, gateway))).toEqual([]);
    expect(hasColocatedGateway(apart, apart.instances[0]!)).toBe(false);
  });

  it('with a network per zone: every process of a zone on its address, an etcd member per zone, and clients given every member', () => {
    const zoneNetworks = { 'zone-a': { netns: 'na', ip: '10.9.1.1' }, 'zone-b': { netns: 'nb', ip: '10.9.1.2' }, 'zone-c': { netns: 'nc', ip: '10.9.1.3' } };
    const zoned = planLayout({ spec, stateDir: '/tmp/x', basePort: 15432, zoneNetworks });
    const hostOf = (zone: string) => zoneNetworks[zone as keyof typeof zoneNetworks].ip;
    for (const placed of [...zoned.instances, ...zoned.gateways, ...zoned.orchestrators]) expect(placed.host).toBe(hostOf(placed.zone));
    expect(etcdMembers(zoned).map((member) => [member.zone, member.host])).toEqual([['zone-a', '10.9.1.1'], ['zone-b', '10.9.1.2'], ['zone-c', '10.9.1.3']]);
    expect(new Set(etcdMembers(zoned).map((member) => member.dataDir)).size).toBe(3);
    expect(etcdEndpoints(zoned)).toEqual([`https://10.9.1.1:${zoned.etcd.clientPort}`, `https://10.9.1.2:${zoned.etcd.clientPort}`, `https://10.9.1.3:${zoned.etcd.clientPort}`]);
    // Each zone's gateway still serves its own zone's Postgres from its own pools.
    expect(zoned.gateways.map((gateway) => colocatedInstances(zoned, gateway).map((instance) => instance.name))).toEqual([['zone-a-0'], ['zone-b-0'], ['zone-c-0']]);
    expect(allPorts(zoned).length).toBe(portsNeeded(spec));
    // Without zone networks: one member, on loopback.
    expect(etcdMembers(layout)).toEqual([{ name: layout.etcd.name, host: '127.0.0.1', dataDir: layout.etcd.dataDir }]);
  });
});

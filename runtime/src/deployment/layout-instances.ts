/**
 * A running cluster's layout with instances or zones added or removed (polygres apply): what is
 * new takes ports after the cluster's range, so no port of a running process moves.
 */
import { join } from 'node:path';
import { type ClusterLayout, type InstanceLayout, socketDirFor } from './layout';

export function withInstances(layout: ClusterLayout, added: ReadonlyArray<{ readonly name: string; readonly zone: string }>): ClusterLayout {
  let next = layout.portRange[1] + 1;
  const instances: InstanceLayout[] = added.map(({ name, zone }) => {
    const instanceDir = join(layout.dataRoot, name);
    const gateway = layout.gateways.find((candidate) => candidate.zone === zone);
    return { name, zone, host: gateway?.host ?? layout.etcd.host, port: next++, poolerPort: next++, adminPort: next++, instanceDir, socketDir: socketDirFor(instanceDir) };
  });
  return { ...layout, instances: [...layout.instances, ...instances], portRange: [layout.portRange[0], next - 1] };
}

export function withoutInstances(layout: ClusterLayout, removed: readonly string[]): ClusterLayout {
  return { ...layout, instances: layout.instances.filter((instance) => !removed.includes(instance.name)) };
}

/** A new zone brings its gateway (client, replica and metrics ports) and its orchestrator, on ports after the range. */
export function withZones(layout: ClusterLayout, zones: readonly string[]): ClusterLayout {
  let next = layout.portRange[1] + 1;
  const host = layout.gateways[0]?.host ?? layout.etcd.host;
  const gateways = zones.map((zone) => ({ zone, host, port: next++, replicaPort: next++, metricsPort: next++ }));
  const orchestrators = zones.map((zone) => ({ name: `orchestrator-${zone}`, zone, host, adminPort: next++ }));
  return { ...layout, gateways: [...layout.gateways, ...gateways], orchestrators: [...layout.orchestrators, ...orchestrators], portRange: [layout.portRange[0], next - 1] };
}

export function withoutZones(layout: ClusterLayout, zones: readonly string[]): ClusterLayout {
  return {
    ...layout,
    gateways: layout.gateways.filter((gateway) => !zones.includes(gateway.zone)),
    orchestrators: layout.orchestrators.filter((orchestrator) => !zones.includes(orchestrator.zone)),
  };
}

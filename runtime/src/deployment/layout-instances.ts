/**
 * A running cluster's layout with instances added or removed (polygres apply): a new instance
 * takes the next three ports after the cluster's range, so no port of a running process moves.
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

import { API_VERSION, type ClusterSpec } from './schema';
import { validateSpec } from './validate';

/** The spec `polygres up` runs without --spec: three zones, one instance each, atLeast(2). */
export function defaultSpec(): ClusterSpec {
  const zones = ['zone-a', 'zone-b', 'zone-c'];
  return validateSpec({
    apiVersion: API_VERSION,
    name: 'local',
    zones: zones.map((name) => ({ name })),
    instances: zones.map((zone) => ({ name: `${zone}-0`, zone })),
    durability: { policy: 'atLeast', n: 2 },
  }).spec;
}

import { API_VERSION, type ClusterSpec } from './schema';
import { validateSpec } from './validate';

/**
 * The spec `polygres up` runs without --spec: three zones, one instance each, atLeast(2), and
 * backups that work from the start — a repository inside the cluster's own directory (a
 * relative path), a full backup every night and an incremental one every hour, two fulls kept.
 */
export function defaultSpec(): ClusterSpec {
  const zones = ['zone-a', 'zone-b', 'zone-c'];
  return validateSpec({
    apiVersion: API_VERSION,
    name: 'local',
    zones: zones.map((name) => ({ name })),
    instances: zones.map((zone) => ({ name: `${zone}-0`, zone })),
    durability: { policy: 'atLeast', n: 2 },
    backup: {
      repositories: [{ type: 'posix', path: DEFAULT_REPOSITORY_PATH }],
      schedule: { full: '0 1 * * *', incr: '0 * * * *' },
      retention: { full: 2 },
    },
  }).spec;
}

/** Relative to the cluster's own directory (deployment/backup-files.ts resolves it). */
export const DEFAULT_REPOSITORY_PATH = 'backup/repository';

/**
 * polygres_backup: an on-demand pgBackRest backup, known by its label. A backup that left the
 * repository (expired by retention) is gone: the next plan takes a new one.
 */
import { ProviderError } from '../protocol/diagnostics';
import { type BackupRecord, listBackups, takeBackup } from '../local/backups';
import { hasCluster, openCluster } from '../local/local-cluster';
import type { BlockSchema } from '../schema/types';
import type { State } from '../schema/values';
import { objectId, parseObjectId } from './cluster-object-id';
import { CLUSTER_ID, OBJECT_ID } from './cluster-attributes';
import type { ManagedResource } from './resource';

const TYPES = ['full', 'diff', 'incr'];

export const backupSchema: BlockSchema = {
  typeName: 'polygres_backup',
  description:
    'A backup taken now with pgBackRest (from a healthy standby when there is one), for a cluster whose spec has a `backup` section. Its label names it in the repository. Change `triggers` to take a new one. Destroying the resource only forgets it: the repository\'s retention expires backups.',
  version: 0,
  example: `resource "polygres_backup" "before_migration" {
  cluster_id = polygres_cluster.main.id
  type       = "full"
  triggers   = { migration = "2026-11-26" }
}`,
  importId: '`<cluster state directory>:<backup label>`',
  attributes: [
    OBJECT_ID('label'),
    CLUSTER_ID,
    { name: 'type', type: 'string', optional: true, computed: true, default: 'full', requiresReplace: true, description: '`full`, `diff` or `incr`.' },
    { name: 'triggers', type: { map: 'string' }, optional: true, requiresReplace: true, description: 'Arbitrary values; changing any takes a new backup.' },
    { name: 'label', type: 'string', computed: true, description: 'pgBackRest label of the backup, e.g. `20260101-120000F`.' },
    { name: 'started_at', type: 'string', computed: true, description: 'When the backup started.' },
    { name: 'stopped_at', type: 'string', computed: true, description: 'When it finished.' },
    { name: 'size_bytes', type: 'number', computed: true, description: 'Size of the database backed up.' },
    { name: 'wal_start', type: 'string', computed: true, description: 'First WAL segment the backup needs.' },
    { name: 'wal_stop', type: 'string', computed: true, description: 'Last WAL segment the backup needs.' },
  ],
};

export const backupResource: ManagedResource = {
  schema: backupSchema,

  validate(config) {
    if (typeof config.type === 'string' && !TYPES.includes(config.type)) {
      return [{ severity: 'error', summary: `type: "${config.type}" is not a backup type`, detail: 'fix: use full, diff or incr', attribute: ['type'] }];
    }
    return [];
  },

  modifyPlan({ planned }) {
    if (typeof planned.cluster_id !== 'string' || !hasCluster(planned.cluster_id)) return [];
    const { spec } = openCluster(planned.cluster_id, 'cluster_id');
    if (spec.backup) return [];
    return [{ severity: 'error', summary: `cluster ${spec.name} has no backup section in its spec`, detail: 'fix: add backup = { repositories = [{ type = "posix", path = "..." }] } to the polygres_cluster spec', attribute: ['cluster_id'] }];
  },

  async create(planned) {
    const cluster = openCluster(String(planned.cluster_id), 'cluster_id');
    const record = await takeBackup(cluster.stateDir, String(planned.type));
    return { ...planned, ...fromRecord(String(planned.cluster_id), record) };
  },

  async read(state) {
    if (!hasCluster(String(state.cluster_id))) return null;
    const record = (await listBackups(openCluster(String(state.cluster_id), 'cluster_id').stateDir)).find((backup) => backup.label === state.label);
    return record ? { ...state, ...fromRecord(String(state.cluster_id), record) } : null;
  },

  async update(_prior, planned) {
    return planned;
  },

  async delete() {},

  async importState(id) {
    const { clusterId, name } = parseObjectId(id, 'backup');
    const record = (await listBackups(openCluster(clusterId, 'id').stateDir)).find((backup) => backup.label === name);
    if (!record) throw new ProviderError(`no backup labelled "${name}" in the repository of the cluster at ${clusterId}`, 'polygres backups lists them', ['id']);
    return { cluster_id: clusterId, type: record.type, triggers: null, ...fromRecord(clusterId, record) };
  },
};

function fromRecord(clusterId: string, record: BackupRecord): State {
  return {
    id: objectId(clusterId, record.label),
    label: record.label,
    started_at: record.start,
    stopped_at: record.stop,
    size_bytes: record.sizeBytes,
    wal_start: record.walStart,
    wal_stop: record.walStop,
  };
}

/**
 * polygres_backup_schedule: when the orchestrators take scheduled backups (cron, UTC). The
 * schedule is part of the cluster's spec; an update rewrites it there and restarts the
 * orchestrators one at a time to read it (Postgres, poolers and gateways keep running).
 * polygres_cluster does not count this part of its spec as drift.
 */
import { renameSync, writeFileSync } from 'node:fs';
import type { Diagnostic } from '../protocol/diagnostics';
import { ProviderError } from '../protocol/diagnostics';
import { type LocalCluster, hasCluster, openCluster } from '../local/local-cluster';
import { runtime } from '../runtime/runtime';
import type { BlockSchema } from '../schema/types';
import { type State, sameValue } from '../schema/values';
import { CLUSTER_ID, ID_SAME_AS_CLUSTER } from './cluster-attributes';
import type { ManagedResource } from './resource';

const FIELDS = ['full', 'diff', 'incr'] as const;

export const backupScheduleSchema: BlockSchema = {
  typeName: 'polygres_backup_schedule',
  description:
    'When the orchestrators take backups, as five-field cron schedules in UTC (one run at a time across orchestrators). For a cluster whose spec has a `backup` section. An update rewrites the schedule in the cluster\'s spec and restarts its orchestrators one by one; nothing else restarts. Destroying the resource leaves the schedule as it is.',
  version: 0,
  example: `resource "polygres_backup_schedule" "main" {
  cluster_id = polygres_cluster.main.id
  full       = "0 1 * * 0"
  diff       = "0 1 * * 1-6"
}`,
  importId: 'the cluster\'s state directory (its `polygres_cluster` id)',
  attributes: [
    ID_SAME_AS_CLUSTER,
    CLUSTER_ID,
    { name: 'full', type: 'string', required: true, description: 'Cron schedule of full backups, e.g. `0 1 * * 0` (Sundays 01:00 UTC).' },
    { name: 'diff', type: 'string', optional: true, description: 'Cron schedule of differential backups (changes since the last full).' },
    { name: 'incr', type: 'string', optional: true, description: 'Cron schedule of incremental backups (changes since the last backup).' },
  ],
};

export const backupScheduleResource: ManagedResource = {
  schema: backupScheduleSchema,

  validate(config) {
    const { checkCronSchedule } = runtime().cron;
    const diagnostics: Diagnostic[] = [];
    for (const field of FIELDS) {
      const value = config[field];
      if (typeof value !== 'string') continue;
      try {
        checkCronSchedule(value);
      } catch (error) {
        diagnostics.push({ severity: 'error', summary: `${field}: ${(error as Error).message}`, detail: 'fix: use five fields: minute hour day-of-month month day-of-week (UTC), or a nickname such as @daily', attribute: [field] });
      }
    }
    return diagnostics;
  },

  modifyPlan({ planned }) {
    if (typeof planned.cluster_id !== 'string') return [];
    planned.id = planned.cluster_id;
    if (!hasCluster(planned.cluster_id) || openCluster(planned.cluster_id, 'cluster_id').spec.backup) return [];
    return [{ severity: 'error', summary: 'the cluster\'s spec has no backup section', detail: 'fix: add backup = { repositories = [...] } to the polygres_cluster spec', attribute: ['cluster_id'] }];
  },

  create: (planned) => applySchedule(planned),
  update: (_prior, planned) => applySchedule(planned),

  async read(state) {
    if (!hasCluster(String(state.cluster_id))) return null;
    const cluster = openCluster(String(state.cluster_id), 'cluster_id');
    return cluster.spec.backup ? { ...state, ...scheduleState(cluster) } : null;
  },

  async delete() {},

  async importState(id) {
    const cluster = openCluster(id, 'id');
    if (!cluster.spec.backup) throw new ProviderError(`cluster ${cluster.spec.name} has no backup section`, undefined, ['id']);
    return { cluster_id: cluster.stateDir, ...scheduleState(cluster) };
  },
};

function scheduleState(cluster: LocalCluster): State {
  const schedule = cluster.spec.backup?.schedule;
  return { id: cluster.stateDir, full: schedule?.full ?? null, diff: schedule?.diff ?? null, incr: schedule?.incr ?? null };
}

async function applySchedule(planned: State): Promise<State> {
  const cluster = openCluster(String(planned.cluster_id), 'cluster_id');
  const backup = cluster.spec.backup;
  if (!backup) throw new ProviderError('the cluster\'s spec has no backup section', undefined, ['cluster_id']);
  const schedule = Object.fromEntries(FIELDS.flatMap((field) => (typeof planned[field] === 'string' ? [[field, planned[field]]] : [])));
  if (!sameValue(JSON.parse(JSON.stringify(backup.schedule)), schedule)) {
    const spec = { ...cluster.spec, backup: { ...backup, schedule } };
    runtime().spec.validateSpec(spec, 'cluster spec with the new schedule');
    const temporary = `${cluster.layout.specFile}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(spec, null, 2)}\n`);
    renameSync(temporary, cluster.layout.specFile);
    await runtime().local.restartOrchestrators(cluster.layout);
  }
  return { ...planned, id: cluster.stateDir };
}

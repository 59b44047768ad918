/** Every resource and data source of the provider: the one list the server, docs and bindings read. */
import { backupResource } from './backup';
import { backupScheduleResource } from './backup-schedule';
import { clusterResource } from './cluster';
import { databaseResource } from './database';
import { clusterStatusDataSource } from './cluster-status-data';
import { durabilityPolicyResource } from './durability-policy';
import { primaryResource } from './primary';
import { roleResource } from './role';
import type { DataSource, ManagedResource } from './resource';

export const resources = (): ManagedResource[] => [
  clusterResource,
  durabilityPolicyResource,
  primaryResource,
  backupScheduleResource,
  backupResource,
  roleResource,
  databaseResource,
];
export const dataSources = (): DataSource[] => [clusterStatusDataSource];

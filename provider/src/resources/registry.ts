/** Every resource and data source of the provider: the one list the server, docs and bindings read. */
import { clusterResource } from './cluster';
import { clusterStatusDataSource } from './cluster-status-data';
import { durabilityPolicyResource } from './durability-policy';
import { primaryResource } from './primary';
import type { DataSource, ManagedResource } from './resource';

export const resources = (): ManagedResource[] => [clusterResource, durabilityPolicyResource, primaryResource];
export const dataSources = (): DataSource[] => [clusterStatusDataSource];

/** Data source polygres_cluster_status: the live rule, instances and problems of a cluster. */
import { connectCluster } from '../local/cluster-connection';
import type { BlockSchema } from '../schema/types';
import { CLUSTER_ID_INPUT } from './cluster-attributes';
import type { DataSource } from './resource';

export const clusterStatusSchema: BlockSchema = {
  typeName: 'polygres_cluster_status',
  description: 'The live state of a cluster, as `polygres status` reports it: the rule (term, primary, durability policy), each instance and the problems the orchestrators see.',
  version: 0,
  example: `data "polygres_cluster_status" "main" {
  cluster_id = polygres_cluster.main.id
}

output "primary" {
  value = data.polygres_cluster_status.main.primary
}`,
  attributes: [
    CLUSTER_ID_INPUT,
    { name: 'name', type: 'string', computed: true, description: 'Cluster name.' },
    { name: 'running', type: 'bool', computed: true, description: 'Whether every supervised process runs.' },
    { name: 'term', type: 'number', computed: true, description: 'Term of the current rule; every failover, switchover and policy change takes a new one.' },
    { name: 'primary', type: 'string', computed: true, description: 'Instance the rule names as primary.' },
    { name: 'policy', type: 'string', computed: true, description: 'The durability policy in force, e.g. `atLeast(2)`.' },
    { name: 'rule_status', type: 'string', computed: true, description: '`serving`, `bootstrapping` or `electing`.' },
    { name: 'synchronous_standby_names', type: 'string', computed: true, description: 'The primary\'s `synchronous_standby_names`, empty when asynchronous.' },
    {
      name: 'instances',
      type: { list: { object: { name: 'string', zone: 'string', role: 'string', healthy: 'bool', lsn: 'string', sync_state: 'string' } } },
      computed: true,
      description: 'Each instance: zone, role (`primary`, `replica`, `unknown`), health, WAL position and its sync state as the primary sees it.',
    },
    { name: 'problems', type: { list: 'string' }, computed: true, description: 'What the orchestrators\' analyzers see right now (blocked commits, lagging standbys, ...).' },
  ],
};

export const clusterStatusDataSource: DataSource = {
  schema: clusterStatusSchema,
  async read(config) {
    const cluster = connectCluster(String(config.cluster_id), 'cluster_id');
    const status = await cluster.status();
    return {
      cluster_id: config.cluster_id ?? null,
      name: status.cluster,
      running: await cluster.running(),
      term: status.term,
      primary: status.primary,
      policy: status.policy,
      rule_status: status.ruleStatus,
      synchronous_standby_names: status.syncStandbyNames,
      instances: status.instances.map((i) => ({ name: i.name, zone: i.zone, role: i.role, healthy: i.healthy, lsn: i.lsn, sync_state: i.syncState })),
      problems: [...status.problems],
    };
  },
};

/**
 * polygres_primary: the instance that should be primary. A change (or a failover that moved
 * the primary elsewhere, which shows as drift) plans an update that is a planned switchover.
 */
import { UNKNOWN } from '../msgpack/value';
import { ProviderError } from '../protocol/diagnostics';
import { clusterKnown, connectCluster, waitForStatus } from '../local/cluster-connection';
import type { BlockSchema } from '../schema/types';
import type { State } from '../schema/values';
import { CLUSTER_ID, ID_SAME_AS_CLUSTER } from './cluster-attributes';
import type { ManagedResource } from './resource';

export const primarySchema: BlockSchema = {
  typeName: 'polygres_primary',
  description:
    'The preferred primary of a cluster. When another instance is primary (a change here, or a failover since), apply performs a planned switchover to this one: the old primary is drained and stopped, this one promoted, the others repointed. Destroying this resource changes nothing.',
  version: 0,
  example: `resource "polygres_primary" "main" {
  cluster_id = polygres_cluster.main.id
  instance   = "b0"
}`,
  importId: 'the cluster\'s state directory (its `polygres_cluster` id)',
  attributes: [
    ID_SAME_AS_CLUSTER,
    CLUSTER_ID,
    { name: 'instance', type: 'string', required: true, description: 'Name of the instance (from the spec\'s `instances[]`) that should be primary.' },
    { name: 'zone', type: 'string', computed: true, description: 'Zone of that instance.' },
  ],
};

export const primaryResource: ManagedResource = {
  schema: primarySchema,

  async modifyPlan({ planned }) {
    if (typeof planned.cluster_id !== 'string' || typeof planned.instance !== 'string' || !clusterKnown(planned.cluster_id)) {
      planned.id = typeof planned.cluster_id === 'string' ? planned.cluster_id : UNKNOWN;
      planned.zone = UNKNOWN;
      return [];
    }
    const instances = await connectCluster(planned.cluster_id, 'cluster_id').instances();
    const instance = instances.find((i) => i.name === planned.instance);
    planned.id = planned.cluster_id;
    if (!instance) {
      planned.zone = UNKNOWN;
      return [{ severity: 'error', summary: `instance: "${String(planned.instance)}" is not an instance of this cluster`, detail: `fix: use one of ${instances.map((i) => `"${i.name}"`).join(', ')}`, attribute: ['instance'] }];
    }
    planned.zone = instance.zone;
    return [];
  },

  create: (planned) => makePrimary(planned),
  update: (_prior, planned) => makePrimary(planned),

  async read(state) {
    if (!clusterKnown(String(state.cluster_id))) return null;
    const cluster = connectCluster(String(state.cluster_id), 'cluster_id');
    const status = await cluster.status();
    if (!status.primary) return state;
    return { ...state, id: cluster.id, instance: status.primary, zone: zoneOf(status.instances, status.primary) };
  },

  async delete() {},

  async importState(id) {
    const cluster = connectCluster(id, 'id');
    const status = await cluster.status();
    if (!status.primary) throw new ProviderError(`cluster ${status.cluster} has no primary yet`, 'check polygres status', ['id']);
    return { id: cluster.id, cluster_id: cluster.id, instance: status.primary, zone: zoneOf(status.instances, status.primary) };
  },
};

async function makePrimary(planned: State): Promise<State> {
  const cluster = connectCluster(String(planned.cluster_id), 'cluster_id');
  const target = String(planned.instance);
  const status = await cluster.status();
  if (status.primary !== target) {
    await cluster.call({ method: 'POST', path: '/v1/switchover', body: { to: target }, timeoutMs: 180_000 }).catch((error: Error) => {
      throw new ProviderError(`switchover to ${target} failed`, error.message, ['instance']);
    });
    await waitForStatus(cluster, `${target} serving as primary`, (s) => s.primary === target && s.ruleStatus === 'serving');
  }
  return { ...planned, id: cluster.id, zone: zoneOf(status.instances, target) };
}

function zoneOf(instances: readonly { name: string; zone: string }[], name: string): string {
  return instances.find((i) => i.name === name)?.zone ?? '';
}

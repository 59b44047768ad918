/** One look at the cluster: the rule from etcd and every pooler's own report, taken together. */
import type { InstanceStatus } from '../pooler/instance-status';
import type { ShardRule, Versioned } from '../topo/records';
import type { OrchestratorContext } from './context';

export interface Snapshot {
  readonly at: number;
  readonly rule: Versioned<ShardRule> | undefined;
  /** undefined: the pooler did not answer. */
  readonly statuses: ReadonlyMap<string, InstanceStatus | undefined>;
}

export async function takeSnapshot(context: OrchestratorContext): Promise<Snapshot> {
  const [rule, ...reports] = await Promise.all([
    context.topo.getRule(),
    ...context.layout.instances.map((instance) => context.poolers.status(instance.name).catch(() => undefined)),
  ]);
  const statuses = new Map<string, InstanceStatus | undefined>();
  context.layout.instances.forEach((instance, index) => statuses.set(instance.name, reports[index]));
  return { at: Date.now(), rule, statuses };
}

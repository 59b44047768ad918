/**
 * Bringing a new cluster's first rule to life. Several orchestrators may run this at once:
 * the rule is created by compare-and-swap, and `serving` is only set once the primary's
 * pooler reports the rule written durably inside Postgres.
 */
import { policyFor } from '../consensus/registry';
import type { InstanceStatus } from '../postgres/instance-status';
import type { ClusterSpec } from '../spec/schema';
import type { ShardRule } from '../topo/records';
import type { TopoStore } from '../topo/topo-store';
import type { Logger } from '../util/log';

export async function ensureRule(topo: TopoStore, spec: ClusterSpec, me: string, log: Logger): Promise<void> {
  if (await topo.getRule()) return;
  const rule = bootstrapRule(spec, me);
  if (await topo.createRule(rule)) log.info({ term: rule.term, primary: rule.primary }, 'created the first rule');
}

/** Marks the bootstrap rule serving once the primary has it durably; true when it did. */
export async function completeBootstrap(
  topo: TopoStore,
  primaryStatus: (name: string) => Promise<InstanceStatus | undefined>,
  me: string,
  log: Logger,
): Promise<boolean> {
  const current = await topo.getRule();
  if (!current || current.value.status !== 'bootstrapping') return false;
  const rule = current.value;
  const status = await primaryStatus(rule.primary);
  if (!status || status.ruleTerm === null || status.ruleTerm < rule.term || status.role !== 'primary') return false;
  const serving = { ...rule, status: 'serving' as const, decidedBy: me, decidedAt: new Date().toISOString() };
  if (!(await topo.replaceRule(serving, current.modRevision))) return false;
  log.info({ term: rule.term, primary: rule.primary }, 'bootstrap complete: primary serving');
  return true;
}

/** The rule a new cluster starts with: term 1, the first declared instance as primary. */
export function bootstrapRule(spec: ClusterSpec, decidedBy: string): ShardRule {
  const policy = policyFor(spec.durability);
  const primary = spec.instances[0];
  if (!primary) throw new Error('the spec declares no instances');
  const config = policy.syncConfig(primary, spec.instances);
  if (!config) throw new Error(`${policy.describe()} cannot be met with primary ${primary.name}`);
  return {
    term: 1,
    primary: primary.name,
    policy: spec.durability,
    members: spec.instances.map((instance) => instance.name),
    sync: config,
    pendingSync: null,
    status: 'bootstrapping',
    election: null,
    decidedBy,
    decidedAt: new Date().toISOString(),
  };
}

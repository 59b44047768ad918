/**
 * Voluntary disruptions (node drains, upgrades) take at most one Postgres instance, one
 * orchestrator and one etcd member at a time, and never a zone's last gateway.
 */
import { PodDisruptionBudgetV1 } from '@cdktf/provider-kubernetes/lib/pod-disruption-budget-v1';
import type { Construct } from 'constructs';
import { type RenderContext, metadata } from './render-context';
import { ETCD_MEMBERS } from './settings';

export function renderDisruptionBudgets(scope: Construct, context: RenderContext): PodDisruptionBudgetV1[] {
  const { names } = context;
  const budget = (id: string, name: string, selector: Record<string, string>, limit: { maxUnavailable?: string; minAvailable?: string }) =>
    new PodDisruptionBudgetV1(scope, id, { metadata: metadata(context, name), spec: { ...limit, selector: { matchLabels: selector } } });
  return [
    budget('pdb-postgres', `${names.cluster}-postgres`, names.selector('postgres'), { maxUnavailable: '1' }),
    budget('pdb-etcd', names.etcd(), names.selector('etcd'), { minAvailable: String(Math.floor(ETCD_MEMBERS / 2) + 1) }),
    budget('pdb-orchestrator', `${names.cluster}-orchestrator`, names.selector('orchestrator'), { maxUnavailable: '1' }),
    ...context.declaration.zones.map((zone) =>
      budget(`pdb-gateway-${zone.name}`, names.gateway(zone.name), names.selector('gateway', { zone: zone.name }), { minAvailable: '1' })),
  ];
}

import type { Counter } from 'prom-client';
import type { ClusterLayout, OrchestratorLayout } from '../deployment/layout';
import type { ClusterSpec } from '../spec/schema';
import type { HistoryEntry } from '../topo/records';
import type { TopoStore } from '../topo/topo-store';
import type { Logger } from '../util/log';
import type { OrchestratorPeers } from './orchestrator-peers';
import type { PoolerClient } from './pooler-client';

/** What every analyzer and action of one orchestrator works with. */
export interface OrchestratorContext {
  readonly layout: ClusterLayout;
  readonly spec: ClusterSpec;
  readonly me: OrchestratorLayout;
  readonly topo: TopoStore;
  readonly poolers: PoolerClient;
  /** The other orchestrators, and the elections this one runs now. */
  readonly peers: OrchestratorPeers;
  readonly log: Logger;
  /** polygres_orchestrator_actions_total: every action recorded in the history counts here too. */
  readonly actions: Counter<'kind' | 'outcome'>;
}

/** Records an action in the log and in the topology's history; history is best effort. */
export async function recordHistory(context: OrchestratorContext, entry: Omit<HistoryEntry, 'by' | 'at'>): Promise<void> {
  const full: HistoryEntry = { ...entry, by: context.me.name, at: new Date().toISOString() };
  context.log.info(full, `${entry.action} ${entry.outcome}`);
  context.actions.inc({ kind: entry.action, outcome: entry.outcome });
  await context.topo.appendHistory(full).catch((error: unknown) => context.log.warn({ err: (error as Error).message }, 'could not record history'));
}

/**
 * Builds the status page's view on a gateway, which holds what it takes: the admin token (to
 * ask the poolers and the other gateways) and the topology store (the rule, the history and
 * the backup state). The cluster part is `collectClusterStatus`, the same join of the rule
 * with each pooler's report that `polygres status` prints.
 */
import { callAdmin } from '../admin/http-client';
import type { StanzaInfo } from '../backup/pgbackrest-runner';
import type { ClusterLayout } from '../deployment/layout';
import { collectClusterStatus, type ClusterStatus } from '../orchestrator/cluster-status';
import type { BackupState, HistoryEntry, ShardRule } from '../topo/records';
import type { TopoStore } from '../topo/topo-store';
import { BackupCache } from './backup-cache';
import type { BackupsView, StatusView } from './status-view';
import {
  archiveFailing,
  backupSummaries,
  type GatewayPoolsReport,
  gatewayCard,
  instanceCards,
  lastBackupConclusion,
  recoverableWindow,
  timeline,
  zonesOf,
} from './view-parts';

export interface ViewSources {
  /** The layout as it is now: `polygres apply` adds and removes instances while the gateway runs. */
  readonly layout: () => ClusterLayout;
  readonly adminToken: string;
  readonly topo: TopoStore;
  /** The ClusterSpec has a backup section: without one there is no repository to read. */
  readonly backupsConfigured: () => boolean;
}

/** How long a gateway waits for another gateway's pools report: a view is due every second. */
const POOLS_TIMEOUT_MS = 1_000;
/** `pgbackrest info` may wait for a running backup's lock. */
const BACKUPS_TIMEOUT_MS = 20_000;

export function createViewBuilder(sources: ViewSources): () => Promise<StatusView> {
  const backups = new BackupCache((primary) => readStanzaInfo(sources.layout(), sources.adminToken, primary));
  return async () => {
    const layout = sources.layout();
    const problems: string[] = [];
    const noted = <T>(what: string, fallback: T) => (error: unknown): T => {
      problems.push(`${what}: ${(error as Error).message}`);
      return fallback;
    };
    const [rule, history, backupState] = await Promise.all([
      sources.topo.getRule().then((versioned) => versioned?.value, noted<ShardRule | undefined>('the topology store did not answer', undefined)),
      sources.topo.listHistory().catch(noted<HistoryEntry[]>('the history could not be read', [])),
      sources.topo.getBackupState().then((versioned) => versioned?.value, () => undefined),
    ]);
    const [status, pools] = await Promise.all([
      collectClusterStatus(layout, sources.adminToken, rule),
      Promise.all(layout.gateways.map((gateway) => callAdmin<GatewayPoolsReport>({ host: gateway.host, port: gateway.metricsPort, token: sources.adminToken, path: '/v1/pools', timeoutMs: POOLS_TIMEOUT_MS }).catch((error: unknown) => error as Error))),
    ]);
    const poolsOf = new Map(layout.gateways.map((gateway, index) => [gateway.zone, pools[index]!]));
    return {
      generatedAt: new Date().toISOString(),
      cluster: {
        name: status.cluster,
        term: status.term,
        ruleStatus: status.ruleStatus,
        primary: status.primary,
        policy: status.policy,
        syncStandbyNames: status.syncStandbyNames,
        election: status.election ? { term: status.election.term, kind: status.election.kind, reason: status.election.reason, startedAt: status.election.startedAt } : null,
        problems: [...problems, ...status.problems],
      },
      zones: zonesOf(status),
      instances: instanceCards(status),
      gateways: status.gateways.map((gateway) => gatewayCard(gateway, poolsOf.get(gateway.zone) ?? new Error('not in the layout'))),
      history: timeline(history),
      backups: sources.backupsConfigured() ? backupsView(status, backupState, backups.current(lastBackupConclusion(history), status.primary)) : unconfigured(status),
    };
  };
}

function backupsView(status: ClusterStatus, state: BackupState | undefined, reading: ReturnType<BackupCache['current']>): BackupsView {
  const list = backupSummaries(reading.info?.backups ?? []);
  const lastArchivedAt = status.archive?.lastArchivedAt ?? null;
  return {
    configured: true,
    status: reading.info?.status ?? null,
    list,
    checkedAt: reading.checkedAt,
    running: state?.running ? { type: state.running.type, since: state.running.since } : null,
    recoverable: recoverableWindow(list, lastArchivedAt),
    lastArchivedAt,
    archiveFailing: archiveFailing(status.archive),
    error: reading.error,
  };
}

function unconfigured(status: ClusterStatus): BackupsView {
  return { configured: false, status: null, list: [], checkedAt: null, running: null, recoverable: null, lastArchivedAt: status.archive?.lastArchivedAt ?? null, archiveFailing: false, error: null };
}

/** The repository's info from a pooler: the primary's first, then any other that answers. */
async function readStanzaInfo(layout: ClusterLayout, token: string, primary: string | null): Promise<StanzaInfo> {
  const ordered = [...layout.instances].sort((a, b) => Number(b.name === primary) - Number(a.name === primary));
  let lastError: unknown = new Error('the layout has no instance');
  for (const instance of ordered) {
    try {
      return await callAdmin<StanzaInfo>({ host: instance.host, port: instance.adminPort, token, path: '/v1/backups', timeoutMs: BACKUPS_TIMEOUT_MS });
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}

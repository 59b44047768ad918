/**
 * The pure parts of the status view: how far each standby is behind, which history entries
 * the timeline shows, what a restore can reach, and a gateway's load from its pools report.
 * No I/O here, so each is tested on its own.
 */
import type { BackupRecord } from '../backup/pgbackrest-runner';
import { parseLsn } from '../consensus/lsn';
import type { ClusterStatus, GatewayView } from '../orchestrator/cluster-status';
import type { HistoryEntry } from '../topo/records';
import type { BackupSummary, GatewayCard, InstanceCard, TimelineEntry, TimelineKind } from './status-view';

/** The timeline keeps this many entries: enough for a day of trouble, small enough to send every second. */
export const TIMELINE_LIMIT = 50;

/** WAL bytes `standbyLsn` is behind `primaryLsn`; never negative (the two are read a moment apart). */
export function lagBytes(primaryLsn: string | null, standbyLsn: string | null): number | null {
  if (!primaryLsn || !standbyLsn) return null;
  try {
    const behind = parseLsn(primaryLsn) - parseLsn(standbyLsn);
    return behind > 0n ? Number(behind) : 0;
  } catch {
    return null;
  }
}

/**
 * Each instance as a card. A standby's lag is measured against the rule's primary, and only
 * while that primary is up as a primary: against a dead one it would mean nothing.
 */
export function instanceCards(status: ClusterStatus): InstanceCard[] {
  const primary = status.instances.find((instance) => instance.name === status.primary && instance.role === 'primary' && instance.healthy);
  return status.instances.map((instance) => ({
    name: instance.name,
    zone: instance.zone,
    role: instance.role,
    healthy: instance.healthy,
    phase: instance.phase,
    lsn: instance.lsn,
    syncState: instance.syncState,
    replicationState: instance.replicationState,
    lagBytes: primary && instance.role === 'replica' ? lagBytes(primary.lsn, instance.lsn) : null,
    error: instance.error,
  }));
}

/** Zones in the order the layout first names them (instances, then gateways). */
export function zonesOf(status: ClusterStatus): string[] {
  return [...new Set([...status.instances.map((instance) => instance.zone), ...status.gateways.map((gateway) => gateway.zone)])];
}

/** The timeline's kind of a recorded action; undefined for actions the timeline leaves out. */
export function timelineKind(action: string): TimelineKind | undefined {
  if (action === 'failover' || action === 'switchover' || action === 'rejoin') return action;
  if (action === 'set-durability' || action === 'set-members' || action === 'policy-change') return 'policy';
  if (action.startsWith('backup')) return 'backup';
  if (action.startsWith('restore')) return 'restore';
  return undefined;
}

/**
 * The history as the timeline shows it, newest first and at most `limit` entries. An action
 * records `started` and later `done` or `failed`: once it has concluded, its `started` entry
 * says nothing more and is left out; one still running keeps it.
 */
export function timeline(history: readonly HistoryEntry[], limit = TIMELINE_LIMIT): TimelineEntry[] {
  const chronological = history
    .map((entry, index) => ({ entry, index, kind: timelineKind(entry.action) }))
    .filter((item): item is { entry: HistoryEntry; index: number; kind: TimelineKind } => item.kind !== undefined)
    .sort((a, b) => Date.parse(a.entry.at) - Date.parse(b.entry.at) || a.index - b.index);
  const open = new Map<string, number[]>();
  const concluded = new Set<number>();
  chronological.forEach(({ entry }, position) => {
    const key = `${entry.term}\u0000${entry.action}`;
    const starts = open.get(key) ?? [];
    if (entry.outcome === 'started') open.set(key, [...starts, position]);
    else if (starts.length > 0) concluded.add(starts.pop()!);
  });
  return chronological
    .filter((_, position) => !concluded.has(position))
    .reverse()
    .slice(0, limit)
    .map(({ entry, kind }) => ({ at: entry.at, term: entry.term, kind, action: entry.action, outcome: entry.outcome, detail: entry.detail, by: entry.by }));
}

/** When the newest backup recorded in the history concluded: a change means the repository changed. */
export function lastBackupConclusion(history: readonly HistoryEntry[]): string | null {
  const times = history.filter((entry) => entry.action.startsWith('backup') && entry.outcome !== 'started').map((entry) => entry.at);
  return times.length > 0 ? times.reduce((a, b) => (Date.parse(a) >= Date.parse(b) ? a : b)) : null;
}

/** The backups as the page lists them: newest first, the fields worth showing. */
export function backupSummaries(backups: readonly BackupRecord[]): BackupSummary[] {
  return [...backups]
    .sort((a, b) => Date.parse(b.stop) - Date.parse(a.stop))
    .map(({ label, type, start, stop, sizeBytes }) => ({ label, type, start, stop, sizeBytes }));
}

/**
 * The span a point-in-time restore can reach. It starts where the oldest backup ends (a
 * restore is consistent only past a backup's end) and ends at the last archived WAL segment,
 * or at the newest backup's end when archiving has not gone further.
 */
export function recoverableWindow(backups: readonly Pick<BackupRecord, 'stop'>[], lastArchivedAt: string | null): { from: string; to: string } | null {
  const stops = backups.map((backup) => Date.parse(backup.stop)).filter((time) => Number.isFinite(time));
  if (stops.length === 0) return null;
  const archived = lastArchivedAt ? Date.parse(lastArchivedAt) : Number.NaN;
  const newest = Math.max(...stops);
  return { from: new Date(Math.min(...stops)).toISOString(), to: new Date(Number.isFinite(archived) && archived > newest ? archived : newest).toISOString() };
}

/** Archiving is failing when its last failure is newer than its last success. */
export function archiveFailing(archive: ClusterStatus['archive']): boolean {
  if (!archive?.lastFailedAt) return false;
  return !archive.lastArchivedAt || Date.parse(archive.lastFailedAt) > Date.parse(archive.lastArchivedAt);
}

/** The part of a gateway's `GET /v1/pools` answer the page uses (pool user names stay out). */
export interface GatewayPoolsReport {
  readonly pools: readonly { readonly active: number; readonly idle: number; readonly waiting: number }[];
  readonly sessions: number;
}

/** A gateway's card: its listener and, when its HTTP port answered, its load. */
export function gatewayCard(gateway: GatewayView, report: GatewayPoolsReport | Error): GatewayCard {
  if (report instanceof Error) {
    return { zone: gateway.zone, listening: gateway.listening, clientConnections: null, serverActive: null, serverIdle: null, waiting: null, error: report.message };
  }
  const sum = (field: 'active' | 'idle' | 'waiting') => report.pools.reduce((total, pool) => total + pool[field], 0);
  return { zone: gateway.zone, listening: gateway.listening, clientConnections: report.sessions, serverActive: sum('active'), serverIdle: sum('idle'), waiting: sum('waiting'), error: null };
}

/**
 * What the live status page shows (`GET /v1/view` on every gateway's HTTP port), as JSON.
 * Served without a token, so nothing in it is secret: no password, no token, no user names
 * of pools — names, zones, roles, positions, counts and times only.
 */
import type { Election } from '../topo/records';

export interface StatusView {
  /** When the gateway computed this view (ISO). */
  readonly generatedAt: string;
  readonly cluster: ClusterSummary;
  /** Zones in the layout's order: the page's columns. */
  readonly zones: readonly string[];
  readonly instances: readonly InstanceCard[];
  readonly gateways: readonly GatewayCard[];
  /** Failovers, switchovers, policy changes, backups, restores and rejoins, newest first. */
  readonly history: readonly TimelineEntry[];
  readonly backups: BackupsView;
}

export interface ClusterSummary {
  readonly name: string;
  readonly term: number | null;
  readonly ruleStatus: 'bootstrapping' | 'serving' | 'electing' | null;
  readonly primary: string | null;
  /** The durability policy as words (`at least 2 copies...`). */
  readonly policy: string | null;
  readonly syncStandbyNames: string | null;
  /** The election under way, if any: the page says a failover is happening. */
  readonly election: Pick<Election, 'term' | 'kind' | 'reason' | 'startedAt'> | null;
  /** What the orchestrators' analyzers would see now (a standby down, commits blocked...). */
  readonly problems: readonly string[];
}

export interface InstanceCard {
  readonly name: string;
  readonly zone: string;
  /** As Postgres itself says (out of recovery: primary). */
  readonly role: 'primary' | 'replica' | 'unknown';
  readonly healthy: boolean;
  readonly phase: string;
  readonly lsn: string | null;
  /** `sync`, `quorum`, `potential` or `async`, as the primary's pg_stat_replication says. */
  readonly syncState: string | null;
  readonly replicationState: string | null;
  /** WAL bytes behind the primary; null on the primary and where either position is unknown. */
  readonly lagBytes: number | null;
  readonly error: string | null;
}

export interface GatewayCard {
  readonly zone: string;
  /** Its client port accepts connections. */
  readonly listening: boolean;
  /** Client sessions open on the gateway; null when its HTTP port did not answer. */
  readonly clientConnections: number | null;
  /** Server connections of its own pools (the co-located Postgres), in use and idle. */
  readonly serverActive: number | null;
  readonly serverIdle: number | null;
  /** Sessions queued for a server connection right now. */
  readonly waiting: number | null;
  readonly error: string | null;
}

export type TimelineKind = 'failover' | 'switchover' | 'policy' | 'backup' | 'restore' | 'rejoin';

export interface TimelineEntry {
  readonly at: string;
  readonly term: number;
  readonly kind: TimelineKind;
  /** The action as recorded (`failover`, `backup-full`, `set-durability`...). */
  readonly action: string;
  readonly outcome: 'started' | 'done' | 'failed' | 'abandoned';
  readonly detail: string;
  readonly by: string;
}

export interface BackupSummary {
  readonly label: string;
  readonly type: 'full' | 'diff' | 'incr';
  readonly start: string;
  readonly stop: string;
  readonly sizeBytes: number;
}

export interface BackupsView {
  /** False when the ClusterSpec has no backup section. */
  readonly configured: boolean;
  /** pgBackRest's stanza status (`ok`...), null until the repository was read. */
  readonly status: string | null;
  /** Newest first. */
  readonly list: readonly BackupSummary[];
  /** When the repository was last read (it is read at most every 30 s). */
  readonly checkedAt: string | null;
  /** A backup the orchestrators are taking now. */
  readonly running: { readonly type: 'full' | 'diff' | 'incr'; readonly since: string } | null;
  /** The span a point-in-time restore can reach: from the oldest backup's end to the last archived WAL. */
  readonly recoverable: { readonly from: string; readonly to: string } | null;
  readonly lastArchivedAt: string | null;
  /** WAL archiving is failing: a failure newer than the last success. */
  readonly archiveFailing: boolean;
  readonly error: string | null;
}

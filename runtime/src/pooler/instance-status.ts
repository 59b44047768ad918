import type { ArchiverStats } from './postgres-probe';
/** What a pooler reports about its instance (`GET /v1/status` on the pooler admin API). */
export interface ReplicationPeer {
  /** The standby's application_name, which is its instance name. */
  readonly name: string;
  readonly state: string;
  /** `sync`, `quorum`, `potential` or `async`, as pg_stat_replication says. */
  readonly syncState: string;
  readonly flushLsn: string | null;
  readonly replayLsn: string | null;
}

export type InstancePhase =
  | 'waiting-for-rule'
  | 'initializing'
  | 'cloning'
  | 'starting'
  | 'running'
  /** Recruited into an election: replication cut off (standby) or fenced (primary). */
  | 'recruited'
  | 'promoting'
  | 'rewinding'
  /** A former primary under a rule that names another: stopped until it is rejoined. */
  | 'needs-rejoin'
  | 'failed';

export interface InstanceStatus {
  readonly instance: string;
  readonly zone: string;
  readonly phase: InstancePhase;
  /** From Postgres itself: a server out of recovery is a primary. */
  readonly role: 'primary' | 'replica' | 'unknown';
  /** Postgres answered the last health query in time. */
  readonly healthy: boolean;
  readonly postmasterPid: number | null;
  /** Current WAL position: the write LSN on a primary, the replay LSN on a replica. */
  readonly lsn: string | null;
  readonly receiveLsn: string | null;
  /** WAL receiver state on a replica (`streaming`, ...), null when none runs. */
  readonly walReceiver: string | null;
  readonly upstream: string | null;
  /** Standbys streaming from this server, when it is a primary. */
  readonly replication: readonly ReplicationPeer[];
  readonly syncStandbyNames: string | null;
  /** Highest rule term written durably into this server's polygres.rule_history. */
  readonly ruleTerm: number | null;
  /** WAL archiving counters (pg_stat_archiver), for the archiving health check. */
  readonly archiver: ArchiverStats | null;
  /** Highest election term this pooler has accepted (persisted). */
  readonly acceptedTerm: number;
  readonly error: string | null;
  /** When the last health check finished; a report older than a few seconds is not healthy. */
  readonly checkedAt: string;
}

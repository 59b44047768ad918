/**
 * The pooler's first-hand view of its Postgres: one long-lived superuser session that answers
 * health queries with a short deadline, so a frozen server shows up as unhealthy within a
 * second rather than as silence.
 */
import { Client } from 'pg';
import { withDeadline } from '../util/net';

/** A standby streaming from this server (pg_stat_replication). */
export interface ReplicationPeer {
  /** The standby's application_name, which is its instance name. */
  readonly name: string;
  readonly state: string;
  /** `sync`, `quorum`, `potential` or `async`, as pg_stat_replication says. */
  readonly syncState: string;
  readonly writeLsn: string | null;
  readonly flushLsn: string | null;
  readonly replayLsn: string | null;
  /**
   * Postgres' own lag times (seconds): how long the last WAL took to be written, flushed and
   * replayed there. Null once the standby has caught up and nothing new is being written.
   */
  readonly writeLagSeconds: number | null;
  readonly flushLagSeconds: number | null;
  readonly replayLagSeconds: number | null;
}

/** What one health query says about the server. */
export interface PostgresHealth {
  /** Postgres answered the health query in time. */
  readonly healthy: boolean;
  readonly inRecovery: boolean | null;
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
  /** The WAL timeline the server writes (primary) or receives (standby). */
  readonly timeline: number | null;
  /** WAL archiving counters (pg_stat_archiver), for the archiving health check. */
  readonly archiver: ArchiverStats | null;
  readonly error: string | null;
}

/** pg_stat_archiver, for the archiving health check (times as ISO strings). */
export interface ArchiverStats {
  readonly failedCount: number;
  readonly lastFailedAt: string | null;
  readonly lastArchivedAt: string | null;
  readonly lastFailedWal: string | null;
}

export interface ProbeTarget {
  /** A host, or Postgres' socket directory. */
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password?: string;
}

const HEALTH_QUERY = `
SELECT pg_is_in_recovery() AS in_recovery,
       CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END::text AS lsn,
       pg_last_wal_receive_lsn()::text AS receive_lsn,
       (SELECT status FROM pg_stat_wal_receiver LIMIT 1) AS wal_receiver,
       (SELECT sender_host || ':' || sender_port FROM pg_stat_wal_receiver LIMIT 1) AS upstream,
       current_setting('synchronous_standby_names') AS sync_standby_names,
       (SELECT coalesce(json_agg(json_build_object('name', application_name, 'state', state, 'syncState', sync_state,
                'writeLsn', write_lsn::text, 'flushLsn', flush_lsn::text, 'replayLsn', replay_lsn::text,
                'writeLagSeconds', extract(epoch FROM write_lag), 'flushLagSeconds', extract(epoch FROM flush_lag),
                'replayLagSeconds', extract(epoch FROM replay_lag)) ORDER BY application_name), '[]'::json)
          FROM pg_stat_replication) AS replication,
       CASE WHEN to_regclass('polygres.rule_history') IS NULL THEN NULL
            ELSE (SELECT max(term) FROM polygres.rule_history) END AS rule_term,
       -- A primary's timeline is in the name of the WAL file it writes; a standby's is the one it receives.
       CASE WHEN pg_is_in_recovery()
            THEN coalesce((SELECT received_tli FROM pg_stat_wal_receiver LIMIT 1), (SELECT timeline_id FROM pg_control_checkpoint()))
            ELSE ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::int END AS timeline,
       (SELECT json_build_object('failedCount', failed_count, 'lastFailedAt', last_failed_time, 'lastArchivedAt', last_archived_time,
                'lastFailedWal', last_failed_wal) FROM pg_stat_archiver) AS archiver`;

export class PostgresProbe {
  private client: Client | undefined;

  constructor(private readonly target: ProbeTarget, private readonly timeoutMs = 1_000) {}

  async check(): Promise<PostgresHealth> {
    try {
      // Belt and braces: the driver's own timeouts, and a deadline no hung socket can outlive.
      const client = await withDeadline(this.connected(), this.timeoutMs * 2, 'connecting to postgres');
      const result = await withDeadline(client.query(HEALTH_QUERY), this.timeoutMs * 2, 'health query');
      const row = result.rows[0] as {
        in_recovery: boolean;
        lsn: string | null;
        receive_lsn: string | null;
        wal_receiver: string | null;
        upstream: string | null;
        sync_standby_names: string;
        replication: ReplicationPeer[];
        rule_term: string | null;
        timeline: number | null;
        archiver: ArchiverStats | null;
      };
      return {
        healthy: true,
        inRecovery: row.in_recovery,
        lsn: row.lsn,
        receiveLsn: row.receive_lsn,
        walReceiver: row.wal_receiver,
        upstream: row.upstream,
        replication: row.replication,
        syncStandbyNames: row.sync_standby_names,
        ruleTerm: row.rule_term === null ? null : Number(row.rule_term),
        timeline: row.timeline,
        archiver: row.archiver,
        error: null,
      };
    } catch (error) {
      this.reset();
      return unhealthy((error as Error).message);
    }
  }

  /** Runs statements on the local server through the probe's session. */
  async query(sql: string, values: unknown[] = []): Promise<Record<string, unknown>[]> {
    const client = await this.connected();
    return (await client.query(sql, values)).rows as Record<string, unknown>[];
  }

  close(): void {
    this.reset();
  }

  private async connected(): Promise<Client> {
    if (this.client) return this.client;
    const client = new Client({
      host: this.target.host,
      port: this.target.port,
      user: this.target.user,
      ...(this.target.password === undefined ? {} : { password: this.target.password }),
      database: 'postgres',
      application_name: 'polygres-pooler',
      connectionTimeoutMillis: this.timeoutMs,
      query_timeout: this.timeoutMs,
    });
    client.on('error', () => this.reset());
    try {
      await client.connect();
    } catch (error) {
      void client.end().catch(() => undefined);
      throw error;
    }
    this.client = client;
    return client;
  }

  private reset(): void {
    const client = this.client;
    this.client = undefined;
    if (client) void client.end().catch(() => undefined);
  }
}

export function unhealthy(error: string): PostgresHealth {
  return {
    healthy: false,
    inRecovery: null,
    lsn: null,
    receiveLsn: null,
    walReceiver: null,
    upstream: null,
    replication: [],
    syncStandbyNames: null,
    ruleTerm: null,
    timeline: null,
    archiver: null,
    error,
  };
}

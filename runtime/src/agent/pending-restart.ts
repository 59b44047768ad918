/**
 * Which settings wait for a restart (pg_settings.pending_restart), asked after a reload: what
 * `polygres reload` and `apply` report, and what orders a rolling restart.
 */

/**
 * Settings waiting for a restart. A standby refuses to run with fewer of these than its
 * primary has (hot standby): lowering one restarts the primary first, raising one the
 * standbys first. The value the file sets is its last line for it in pg_file_settings (marked
 * "could not be applied" until the restart).
 */
const PENDING_RESTART = `
  SELECT s.name,
         s.name IN ('max_connections', 'max_prepared_transactions', 'max_locks_per_transaction', 'max_wal_senders', 'max_worker_processes')
           AND f.setting ~ '^[0-9]+$' AND f.setting::bigint < s.setting::bigint AS lowered
  FROM pg_settings s
  LEFT JOIN LATERAL (SELECT setting FROM pg_file_settings f WHERE f.name = s.name ORDER BY f.seqno DESC LIMIT 1) f ON true
  WHERE s.pending_restart ORDER BY s.name`;

export interface PendingRestart {
  readonly pendingRestart: string[];
  /** Of those, the hot-standby settings (max_connections...) the file lowers. */
  readonly lowered: string[];
}

/** What the rendered settings change only at the next restart, and which of those go down. */
export async function readPendingRestart(query: <T>(sql: string) => Promise<T[]>): Promise<PendingRestart> {
  const rows = await query<{ name: string; lowered: boolean }>(PENDING_RESTART);
  return { pendingRestart: rows.map((row) => row.name), lowered: rows.filter((row) => row.lowered).map((row) => row.name) };
}

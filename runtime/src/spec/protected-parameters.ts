/**
 * Postgres settings a spec may not set: Polygres owns them because replication, failover or
 * durability depend on their values. Each maps to the reason shown to the user.
 */
export const PROTECTED_PARAMETERS: ReadonlyMap<string, string> = new Map([
  ['synchronous_commit', 'durability depends on it; it stays "on"'],
  ['synchronous_standby_names', 'the orchestrator derives it from durability'],
  ['fsync', 'turning it off loses acknowledged commits on a crash'],
  ['full_page_writes', 'turning it off corrupts data after a crash'],
  ['wal_level', 'replication needs "replica" or higher; Polygres sets it'],
  ['hot_standby', 'standbys must serve health checks and reads'],
  ['wal_log_hints', 'pg_rewind needs it to rejoin an old primary'],
  ['max_wal_senders', 'Polygres sizes it from the instance count'],
  ['port', 'the target assigns ports'],
  ['listen_addresses', 'the target decides where Postgres listens'],
  ['unix_socket_directories', 'the target decides where Postgres listens'],
  ['data_directory', 'the target places the data directory'],
  ['hba_file', 'Polygres renders pg_hba.conf'],
  ['ident_file', 'Polygres renders authentication'],
  ['cluster_name', 'Polygres names instances'],
  ['primary_conninfo', 'the orchestrator points standbys at the primary'],
  ['primary_slot_name', 'the orchestrator manages replication'],
  ['restore_command', 'pgBackRest restore is configured from backup'],
  ['archive_mode', 'WAL archiving is configured from backup'],
  ['archive_command', 'WAL archiving is configured from backup'],
  ['recovery_target', 'point-in-time restore is done with polygres restore'],
  ['recovery_target_time', 'point-in-time restore is done with polygres restore'],
  ['recovery_target_lsn', 'point-in-time restore is done with polygres restore'],
  ['recovery_target_name', 'point-in-time restore is done with polygres restore'],
  ['recovery_target_xid', 'point-in-time restore is done with polygres restore'],
]);

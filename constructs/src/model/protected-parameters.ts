/**
 * Postgres settings Polygres owns (runtime/src/spec/protected-parameters.ts holds the reasons;
 * test/protected-parameters.test.ts keeps the two lists equal). Refused at synth.
 */
export const PROTECTED_PARAMETERS: readonly string[] = [
  'synchronous_commit',
  'synchronous_standby_names',
  'fsync',
  'full_page_writes',
  'wal_level',
  'hot_standby',
  'wal_log_hints',
  'max_wal_senders',
  'port',
  'listen_addresses',
  'unix_socket_directories',
  'data_directory',
  'hba_file',
  'ident_file',
  'cluster_name',
  'primary_conninfo',
  'primary_slot_name',
  'restore_command',
  'archive_mode',
  'archive_command',
  'recovery_target',
  'recovery_target_time',
  'recovery_target_lsn',
  'recovery_target_name',
  'recovery_target_xid',
];

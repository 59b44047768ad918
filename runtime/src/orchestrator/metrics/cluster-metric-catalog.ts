/** The cluster metrics every orchestrator exports: name, type, labels and meaning (README, Metrics). */
export interface MetricDefinition {
  readonly name: string;
  readonly type: 'gauge' | 'counter';
  readonly labelNames: readonly string[];
  readonly help: string;
}

const INSTANCE = ['instance', 'zone'];

export const CLUSTER_METRICS: readonly MetricDefinition[] = [
  { name: 'polygres_term', type: 'gauge', labelNames: [], help: 'Term of the rule the cluster runs under' },
  { name: 'polygres_rule_serving', type: 'gauge', labelNames: [], help: '1 while the rule is serving (a primary takes writes), 0 during an election or before the first rule' },
  { name: 'polygres_primary_changes_total', type: 'counter', labelNames: ['reason'], help: 'Elections that made a new primary, by reason (failover, switchover)' },
  { name: 'polygres_last_failover_outage_seconds', type: 'gauge', labelNames: [], help: 'The last failover: seconds from the first sighting of the lost primary to the new rule serving' },
  { name: 'polygres_durability_policy_info', type: 'gauge', labelNames: ['policy'], help: 'The durability policy the rule runs with (always 1)' },
  { name: 'polygres_synchronous_standbys', type: 'gauge', labelNames: [], help: 'Standbys the primary streams to as sync or quorum standbys' },
  { name: 'polygres_synchronous_standbys_required', type: 'gauge', labelNames: [], help: 'How many synchronous standbys must confirm a commit under the policy' },
  { name: 'polygres_instance_up', type: 'gauge', labelNames: INSTANCE, help: '1 when the instance’s pooler answers and its Postgres is healthy' },
  { name: 'polygres_instance_is_primary', type: 'gauge', labelNames: INSTANCE, help: '1 on the rule’s primary while it serves out of recovery' },
  { name: 'polygres_instance_timeline', type: 'gauge', labelNames: INSTANCE, help: 'WAL timeline the instance writes or receives' },
  { name: 'polygres_instance_lsn_bytes', type: 'gauge', labelNames: INSTANCE, help: 'WAL position: written on the primary, replayed on a standby' },
  { name: 'polygres_replication_lag_bytes', type: 'gauge', labelNames: [...INSTANCE, 'kind'], help: 'Bytes of WAL a standby has not yet written, flushed or replayed (kind), from the primary’s pg_stat_replication' },
  { name: 'polygres_replication_lag_seconds', type: 'gauge', labelNames: [...INSTANCE, 'kind'], help: 'Postgres’ write, flush and replay lag times for a standby; 0 once caught up and idle' },
  { name: 'polygres_replication_sync_state', type: 'gauge', labelNames: [...INSTANCE, 'state'], help: 'A standby’s sync_state (sync, quorum, potential, async) as the primary reports it (always 1)' },
  { name: 'polygres_backup_last_success_timestamp_seconds', type: 'gauge', labelNames: ['type'], help: 'When the newest backup of each type in the repository finished' },
  { name: 'polygres_backup_last_failure_timestamp_seconds', type: 'gauge', labelNames: ['type'], help: 'When the last scheduled backup failed, while it is the last result' },
  { name: 'polygres_backup_schedule_interval_seconds', type: 'gauge', labelNames: ['type'], help: 'Seconds between two scheduled backups of each type' },
  { name: 'polygres_wal_archive_last_success_timestamp_seconds', type: 'gauge', labelNames: [], help: 'When the primary last archived a WAL segment (pg_stat_archiver)' },
  { name: 'polygres_wal_archive_last_failure_timestamp_seconds', type: 'gauge', labelNames: [], help: 'When the primary last failed to archive a WAL segment' },
  { name: 'polygres_wal_archive_failures_total', type: 'counter', labelNames: [], help: 'WAL segments the primary failed to archive (pg_stat_archiver; starts again on a new primary)' },
];

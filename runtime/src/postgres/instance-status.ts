/**
 * What a pooler reports about its instance (`GET /v1/status` on the pooler admin API): what
 * Postgres itself says (PostgresHealth, less the raw recovery flag, which `role` states), and
 * what the pooler knows beside it.
 */
import type { PostgresHealth } from './postgres-probe';

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

export interface InstanceStatus extends Omit<PostgresHealth, 'inRecovery'> {
  readonly instance: string;
  readonly zone: string;
  readonly phase: InstancePhase;
  /** From Postgres itself: a server out of recovery is a primary. */
  readonly role: 'primary' | 'replica' | 'unknown';
  readonly postmasterPid: number | null;
  /** Highest election term this pooler has accepted (persisted). */
  readonly acceptedTerm: number;
  /** When the last health check finished; a report older than a few seconds is not healthy. */
  readonly checkedAt: string;
}

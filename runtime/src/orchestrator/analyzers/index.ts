import { archivingFailing } from './archiving-failing';
import { backupDue } from './backup-due';
import { backupFailed } from './backup-failed';
import { bootstrapPending } from './bootstrap-pending';
import { commitsBlocked } from './commits-blocked';
import { needsRejoin } from './needs-rejoin';
import { primaryPoolerUnreachable } from './primary-pooler-unreachable';
import { primaryPostgresDown } from './primary-postgres-down';
import { primaryUnresponsive } from './primary-unresponsive';
import type { Analyzer, Problem } from './problem';
import { staleElection } from './stale-election';
import { standbyDown } from './standby-down';
import { standbyNotReplicating } from './standby-not-replicating';
import { syncMismatch } from './sync-mismatch';
import type { Snapshot } from '../snapshot';

/** Every analyzer, most urgent first: the loop acts on the first ripe problem. */
export const ANALYZERS: readonly Analyzer[] = [
  bootstrapPending,
  staleElection,
  primaryPostgresDown,
  primaryUnresponsive,
  primaryPoolerUnreachable,
  needsRejoin,
  standbyNotReplicating,
  standbyDown,
  commitsBlocked,
  syncMismatch,
  archivingFailing,
  backupFailed,
  backupDue,
];

export function analyze(snapshot: Snapshot): Problem[] {
  return ANALYZERS.flatMap((analyzer) => analyzer(snapshot));
}

export type { Problem, Fix } from './problem';

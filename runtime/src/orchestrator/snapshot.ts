/** One look at the cluster: the rule from etcd and every pooler's own report, taken together. */
import type { InstanceStatus } from '../postgres/instance-status';
import type { BackupState, ShardRule, Versioned } from '../topo/records';
import type { BackupSpec } from '../spec/schema';

export type BackupSchedule = BackupSpec['schedule'];
import type { OrchestratorContext } from './context';
import type { ElectionHolderState } from './orchestrator-peers';

export interface Snapshot {
  readonly at: number;
  readonly rule: Versioned<ShardRule> | undefined;
  /** Backup schedule from the spec, and what has run (absent: the spec has no backups). */
  readonly backups?: { readonly schedule: BackupSchedule; readonly state: Versioned<BackupState> | undefined };
  /** undefined: the pooler did not answer. */
  readonly statuses: ReadonlyMap<string, InstanceStatus | undefined>;
  /** During an election: whether its orchestrator still holds it (undefined: not asked, or etcd did not say). */
  readonly electionHeld?: boolean;
  /** During an election: what its orchestrator says of it (orchestrator-peers.ts). */
  readonly electionHolder?: ElectionHolderState;
}

export async function takeSnapshot(context: OrchestratorContext): Promise<Snapshot> {
  const [rule, backupState, ...reports] = await Promise.all([
    context.topo.getRule(),
    context.spec.backup ? context.topo.getBackupState().catch(() => undefined) : Promise.resolve(undefined),
    ...context.layout.instances.map((instance) => context.poolers.status(instance.name).catch(() => undefined)),
  ]);
  const statuses = new Map<string, InstanceStatus | undefined>();
  context.layout.instances.forEach((instance, index) => statuses.set(instance.name, reports[index]));
  const schedule = context.spec.backup?.schedule;
  const election = rule?.value.status === 'electing' ? rule.value.election : null;
  const [electionHeld, electionHolder] = election
    ? await Promise.all([context.topo.electionHeld(election.term).catch(() => undefined), context.peers.holderOf(election)])
    : [undefined, undefined];
  return {
    at: Date.now(),
    rule,
    statuses,
    ...(schedule ? { backups: { schedule, state: backupState } } : {}),
    ...(electionHeld !== undefined ? { electionHeld } : {}),
    ...(electionHolder !== undefined ? { electionHolder } : {}),
  };
}

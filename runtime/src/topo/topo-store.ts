/**
 * The cluster's topology, as every service sees it: the shard's rule (term, primary, policy,
 * members), the term counter, the instance and gateway records, the backup state and the
 * history. Behind this interface so that what decides (the orchestrator's actions) can be
 * tested against memory, and so that a store other than etcd could take its place. Every
 * write that decides something is conditional: on the version it was read at, or on the term.
 */
import type { BackupState, Election, GatewayRecord, GatewayReplica, HistoryEntry, InstanceRecord, ShardRule, Versioned } from './records';

/** A subscription to the rule; cancel() ends it. */
export interface RuleWatch {
  cancel(): Promise<void>;
}

export interface TopoStore {
  getRule(): Promise<Versioned<ShardRule> | undefined>;
  /** Creates the first rule; false when another orchestrator created one first. */
  createRule(rule: ShardRule): Promise<boolean>;
  /** Replaces the rule only if it has not changed since it was read; the new version, or undefined. */
  replaceRule(rule: ShardRule, modRevision: string): Promise<Versioned<ShardRule> | undefined>;
  /**
   * Takes the next term (ARCHITECTURE.md, control path 1): only if neither the rule nor the term counter changed
   * since they were read, the counter is raised and the rule replaced by `next(term)`, both at
   * once. The new rule, or undefined when another orchestrator got there first.
   */
  takeTerm(current: Versioned<ShardRule>, next: (term: number) => ShardRule): Promise<Versioned<ShardRule> | undefined>;
  /** Takes the next term for an election: the rule keeps its primary but is marked `electing`. */
  beginElection(current: Versioned<ShardRule>, election: Omit<Election, 'term'>): Promise<Versioned<ShardRule> | undefined>;
  /**
   * Marks the election of `term` as run by this process for as long as it lives (a lease of a
   * few seconds); `release` when the election ends. Others take over one no longer held.
   */
  holdElection(term: number): Promise<{ release(): Promise<void> }>;
  /** Whether a live process still holds the election of `term`. */
  electionHeld(term: number): Promise<boolean>;
  getBackupState(): Promise<Versioned<BackupState> | undefined>;
  /** Replaces the backup state if unchanged since read (`modRevision` '0': it did not exist). */
  replaceBackupState(state: BackupState, modRevision: string): Promise<boolean>;
  appendHistory(entry: HistoryEntry): Promise<void>;
  listHistory(): Promise<HistoryEntry[]>;
  /** Calls `onRule` with the current rule and on every change, until the watch is cancelled. */
  watchRule(onRule: (rule: ShardRule | undefined) => void): Promise<RuleWatch>;
  putInstance(record: InstanceRecord): Promise<void>;
  /** An instance removed from the cluster (polygres apply). */
  deleteInstance(name: string): Promise<void>;
  listInstances(): Promise<InstanceRecord[]>;
  putGateway(record: GatewayRecord): Promise<void>;
  listGateways(): Promise<GatewayRecord[]>;
  /** Registers a running gateway process for as long as it lives; `close` withdraws it. */
  registerGatewayReplica(replica: GatewayReplica): Promise<{ close(): Promise<void> }>;
  listGatewayReplicas(): Promise<GatewayReplica[]>;
  close(): void;
}

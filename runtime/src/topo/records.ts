import type { DurabilityPolicySpec, SyncConfig } from '../consensus/policy';

/** An election under way: the term it runs under and why it started. */
export interface Election {
  readonly term: number;
  readonly kind: 'failover' | 'switchover' | 'policy-change';
  readonly reason: string;
  readonly by: string;
  readonly startedAt: string;
}

/**
 * The rule a shard runs under (ARCHITECTURE.md, control path): which instance is primary for which term, with
 * which durability policy over which members. Written only by compare-and-swap.
 */
export interface ShardRule {
  readonly term: number;
  readonly primary: string;
  readonly policy: DurabilityPolicySpec;
  readonly members: readonly string[];
  /** The synchronous replication the primary runs with under this rule. */
  readonly sync: SyncConfig;
  /**
   * During a policy change: the configuration being switched to. Until it is cleared either
   * configuration may be acknowledging commits, so elections must revoke both.
   */
  readonly pendingSync: SyncConfig | null;
  /**
   * `bootstrapping`: the first primary is being created; `serving`: the rule is durable inside
   * Postgres and gateways route writes to the primary; `electing`: `election` is deciding the
   * next rule — gateways hold new statements.
   */
  readonly status: 'bootstrapping' | 'serving' | 'electing';
  readonly election: Election | null;
  readonly decidedBy: string;
  readonly decidedAt: string;
}

/** Where an instance's services answer; registered by the orchestrator from the layout. */
export interface InstanceRecord {
  readonly name: string;
  readonly zone: string;
  readonly host: string;
  readonly port: number;
  readonly poolerPort: number;
  /**
   * The pooler's Unix socket, for gateways on the same host (the local target): a Unix
   * socket costs far less per message than loopback TCP. Absent where hosts differ.
   */
  readonly poolerSocket?: string;
  readonly adminPort: number;
}

export interface GatewayRecord {
  readonly zone: string;
  readonly host: string;
  readonly port: number;
  readonly replicaPort: number;
}

/**
 * One running gateway process; a zone may run several (a Deployment's replicas), all behind
 * the zone's one address. Each is registered under a lease, so a crashed one drops out.
 */
export interface GatewayReplica {
  readonly zone: string;
  /** Its own address (the pod's), where a cancel for one of its sessions must go. */
  readonly address: string;
  readonly port: number;
}

/** One action an orchestrator took, kept for `polygres history`. */
export interface HistoryEntry {
  readonly term: number;
  readonly action: string;
  readonly by: string;
  readonly at: string;
  readonly outcome: 'started' | 'done' | 'failed' | 'abandoned';
  readonly detail: string;
  /**
   * A finished election: seconds without a serving primary, from the first snapshot that saw
   * the old one lost (a failover) or from the election's start (a switchover) to the new rule.
   */
  readonly outageSeconds?: number;
}

/** A value together with the etcd revision it was read at, for compare-and-swap. */
export interface Versioned<T> {
  readonly value: T;
  readonly modRevision: string;
}

/** Backups as the orchestrators schedule them: one running at a time, the last of each kind. */
export interface BackupState {
  /** Stop time (ISO) of the last successful backup of each type. */
  readonly last: { readonly full?: string; readonly diff?: string; readonly incr?: string };
  readonly running: { readonly by: string; readonly type: 'full' | 'diff' | 'incr'; readonly since: string } | null;
  readonly lastResult: { readonly type: 'full' | 'diff' | 'incr'; readonly outcome: 'done' | 'failed'; readonly detail: string; readonly at: string } | null;
}

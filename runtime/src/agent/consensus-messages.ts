/**
 * The pooler consensus API (ARCHITECTURE.md, control path): what an orchestrator asks of a pooler during an
 * election, and what the pooler answers. Every request carries the orchestrator's term; a
 * pooler refuses any term lower than the highest it has accepted.
 */
import type { SyncConfig } from '../consensus/policy';
import type { ShardRule } from '../topo/records';

/** Join the election of `term`: stop acknowledging the old primary and report what you hold. */
export interface RecruitRequest {
  readonly term: number;
  readonly by: string;
  /** How to fence a primary: a fast shutdown first (switchover) or SIGKILL at once (failover). */
  readonly fence: 'graceful' | 'kill';
}

export interface RecruitReply {
  readonly instance: string;
  readonly zone: string;
  readonly accepted: boolean;
  readonly acceptedTerm: number;
  /**
   * The data directory was a primary's (now fenced), or is missing or half rebuilt: either way
   * it is rewound or cloned onto the winner only after the winner's promotion.
   */
  readonly wasPrimary: boolean;
  /** A standby that is running and can be promoted. */
  readonly promotable: boolean;
  /** The most WAL this node holds. */
  readonly lsn: string | null;
  /** Highest rule term in this node's polygres.rule_history. */
  readonly ruleTerm: number;
  readonly error: string | null;
}

/** Become the primary of `term`, with this synchronous replication. */
export interface PromoteRequest {
  readonly term: number;
  readonly sync: SyncConfig;
}

/** Write `rule` into polygres.rule_history with a synchronous commit (blocks until durable). */
export interface EstablishRuleRequest {
  readonly term: number;
  readonly rule: ShardRule;
}

/** Follow `primary` as a standby: repoint, rewind a former primary, or clone afresh. */
export interface FollowRequest {
  readonly term: number;
  readonly primary: string;
  readonly mode: 'follow' | 'rewind' | 'reclone';
}

/** Run the primary with this synchronous replication (a policy change). */
export interface ApplySyncRequest {
  readonly term: number;
  readonly sync: SyncConfig;
}

export interface AckReply {
  readonly ok: true;
  readonly lsn: string | null;
}

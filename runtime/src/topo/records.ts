import type { DurabilityPolicySpec } from '../consensus/policy';

/**
 * The rule a shard runs under (DESIGN §4): which instance is primary for which term, with
 * which durability policy over which members. Written only by compare-and-swap.
 */
export interface ShardRule {
  readonly term: number;
  readonly primary: string;
  readonly policy: DurabilityPolicySpec;
  readonly members: readonly string[];
  /** The synchronous_standby_names the primary runs with under this rule. */
  readonly syncStandbyNames: string;
  /**
   * `bootstrapping`: the primary is being created; `serving`: the rule is durable inside
   * Postgres and gateways route writes to the primary; `electing`: a new term is being decided.
   */
  readonly status: 'bootstrapping' | 'serving' | 'electing';
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
  readonly adminPort: number;
}

export interface GatewayRecord {
  readonly zone: string;
  readonly host: string;
  readonly port: number;
  readonly replicaPort: number;
}

/** A rule together with the etcd revision it was read at, for compare-and-swap. */
export interface Versioned<T> {
  readonly value: T;
  readonly modRevision: string;
}

/**
 * Durability policies: the single source of truth for what "durable" means.
 *
 * Every policy answers the same questions (ARCHITECTURE.md, control path): is a set of nodes
 * durable, which synchronous replication configuration realises it for a primary, is a
 * recruitment sufficient, and is the policy satisfiable with the declared instances. The
 * orchestrator and the spec validation call these functions. The constructs restate the
 * satisfiability rules for jsii (constructs/src/model/durability-rules.ts), on purpose: a jsii
 * library cannot import the runtime; constructs/test/durability-rules.test.ts keeps the two equal.
 */

/** A Postgres instance as the policies see it: a name and the zone it lives in. */
export interface PolicyNode {
  readonly name: string;
  readonly zone: string;
}

/** A durability policy as it is written in a ClusterSpec. */
export type DurabilityPolicySpec =
  | { readonly policy: 'atLeast'; readonly n: number }
  | { readonly policy: 'multiZone'; readonly n: number }
  | { readonly policy: 'surviveZoneFailure' }
  | { readonly policy: 'none' };

/**
 * The synchronous replication configuration a primary runs with: a commit is acknowledged
 * once `quorum` of `standbys` have flushed it. `quorum` 0 means asynchronous replication.
 */
export interface SyncConfig {
  readonly quorum: number;
  readonly standbys: readonly string[];
}

/** A finding about a policy against a set of instances; errors block, warnings inform. */
export interface PolicyFinding {
  readonly severity: 'error' | 'warning';
  readonly message: string;
  readonly fix: string;
}

export interface DurabilityPolicy {
  readonly spec: DurabilityPolicySpec;
  /** Human form, as in the constructs API: `atLeast(2)`. */
  describe(): string;
  /** True when a commit present on exactly these nodes (primary included) is durable. */
  isDurable(nodes: readonly PolicyNode[]): boolean;
  /**
   * The standbys that may acknowledge commits for `primary`, and how many of them must.
   * Returns undefined when `members` cannot realise the policy for this primary.
   */
  syncConfig(primary: PolicyNode, members: readonly PolicyNode[]): SyncConfig | undefined;
  /** Errors when the policy can never be met by `instances`; warnings when it is fragile. */
  check(instances: readonly PolicyNode[]): PolicyFinding[];
}

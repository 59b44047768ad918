/** The kinds of durability policy a ClusterSpec knows. */
export enum DurabilityPolicyKind {
  /** A commit is acknowledged once n nodes, the primary included, have it. */
  AT_LEAST = 'atLeast',
  /** n nodes spanning at least two zones. */
  MULTI_ZONE = 'multiZone',
  /** Commits always reach another zone; losing any one zone loses nothing and keeps writes going. */
  SURVIVE_ZONE_FAILURE = 'surviveZoneFailure',
  /** Asynchronous replication, for development only. */
  NONE = 'none',
}

/**
 * When a commit counts as durable (ARCHITECTURE.md, the model). The policy is checked against the declared
 * zones and instances at synth, with the runtime's rules.
 *
 * @example
 * DurabilityPolicy.surviveZoneFailure()
 */
export class DurabilityPolicy {
  /** Acknowledge a commit once `n` nodes (the primary included) have flushed it. */
  public static atLeast(n: number): DurabilityPolicy {
    return new DurabilityPolicy(DurabilityPolicyKind.AT_LEAST, n);
  }

  /** Acknowledge a commit once `n` nodes spanning at least two zones have it (n ≥ 2). */
  public static multiZone(n: number): DurabilityPolicy {
    return new DurabilityPolicy(DurabilityPolicyKind.MULTI_ZONE, n);
  }

  /**
   * Commits always reach another zone, and at least three zones hold instances, so losing
   * any single zone leaves a durable copy and a primary able to accept writes.
   */
  public static surviveZoneFailure(): DurabilityPolicy {
    return new DurabilityPolicy(DurabilityPolicyKind.SURVIVE_ZONE_FAILURE);
  }

  /** Asynchronous replication: a failover can lose acknowledged commits. Synth warns. */
  public static none(): DurabilityPolicy {
    return new DurabilityPolicy(DurabilityPolicyKind.NONE);
  }

  /** Which policy this is. */
  public readonly kind: DurabilityPolicyKind;
  /** The node count of `atLeast` and `multiZone`; undefined for the others. */
  public readonly n?: number;

  private constructor(kind: DurabilityPolicyKind, n?: number) {
    this.kind = kind;
    this.n = n;
  }

  /** The policy as the constructs API writes it, e.g. `atLeast(2)`. */
  public describe(): string {
    return this.n === undefined ? `${this.kind}()` : `${this.kind}(${this.n})`;
  }
}

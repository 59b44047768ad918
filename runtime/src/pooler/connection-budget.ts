/**
 * The pooler's share of Postgres connections, across all pools. A pool that needs a
 * connection when the budget is spent may take one from a pool holding idle connections, so
 * one busy user cannot starve another (fair share).
 */
/** What the budget needs of a pool. */
export interface BudgetedPool {
  /** Connections open or opening. */
  readonly total: number;
  readonly idleCount: number;
  /** Closes one idle connection so another pool can open one; true if it did. */
  yieldIdle(): boolean;
}

export class ConnectionBudget {
  private used = 0;
  private readonly pools = new Set<BudgetedPool>();

  constructor(private readonly limit: number) {}

  register(pool: BudgetedPool): void {
    this.pools.add(pool);
  }

  unregister(pool: BudgetedPool): void {
    this.pools.delete(pool);
  }

  get inUse(): number {
    return this.used;
  }

  /** Every slot is taken: a pool grows now only by reclaiming another's idle connection. */
  get spent(): boolean {
    return this.used >= this.limit;
  }

  /** Takes one connection slot for `pool`, reclaiming an idle connection elsewhere if needed. */
  tryTake(pool: BudgetedPool): boolean {
    if (this.used < this.limit) {
      this.used += 1;
      return true;
    }
    const fairShare = Math.max(1, Math.floor(this.limit / Math.max(1, this.pools.size)));
    if (pool.total >= fairShare) return false;
    const donors = [...this.pools].filter((other) => other !== pool && other.idleCount > 0).sort((a, b) => b.total - a.total);
    for (const donor of donors) {
      if (donor.yieldIdle() && this.used < this.limit) {
        this.used += 1;
        return true;
      }
    }
    return false;
  }

  give(): void {
    this.used = Math.max(0, this.used - 1);
  }
}

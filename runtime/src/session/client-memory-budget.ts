/**
 * The memory all client sessions of one process may hold for client bytes not yet sent on: a
 * message still arriving, and frames waiting for a server connection. Each session holds its
 * first FREE_BYTES_PER_SESSION without asking (small statements, the common case, never touch
 * the budget); beyond that it takes from the shared budget, and when the budget is spent the
 * session stops reading its client — back-pressure on the socket — until others give bytes
 * back. A client that stalls with a message half sent is ended by the slow-client timeout,
 * so the budget cannot be held forever.
 *
 * The bound on what client input costs a process is therefore
 *   budget + sessions × (FREE_BYTES_PER_SESSION + one socket read of 64 KiB).
 */

/** Bytes a session may hold without charging the budget. */
export const FREE_BYTES_PER_SESSION = 32 * 1024;

/** What the budget knows of a session that waits for room. */
export interface BudgetWaiter {
  /** There may be room now: the session tries again (and waits again if there is none). */
  budgetFreed(): void;
}

export class ClientMemoryBudget {
  private used = 0;
  private readonly waiters = new Set<BudgetWaiter>();
  private waking = false;

  constructor(readonly limitBytes: number) {}

  /** Bytes charged now (over every session's free share). */
  get charged(): number {
    return this.used;
  }

  /** Whether `bytes` more could be charged without passing the limit (nothing is charged). */
  hasRoom(bytes: number): boolean {
    return this.used + bytes <= this.limitBytes;
  }

  /** Sessions that stopped reading their client for want of room. */
  get waiting(): number {
    return this.waiters.size;
  }

  /**
   * A session that was charged `previous` bytes now holds `held`: charges the difference.
   * Returns the new charge, and whether the session may go on reading (false: the budget is
   * spent; the session pauses and is told by `budgetFreed` when to try again).
   */
  charge(waiter: BudgetWaiter, previous: number, held: number): { charged: number; mayRead: boolean } {
    const charged = held > FREE_BYTES_PER_SESSION ? held - FREE_BYTES_PER_SESSION : 0;
    if (charged === previous) return { charged, mayRead: charged === 0 || this.used <= this.limitBytes };
    this.used += charged - previous;
    if (charged < previous) this.wake();
    const mayRead = charged === 0 || this.used <= this.limitBytes;
    if (mayRead) this.waiters.delete(waiter);
    else this.waiters.add(waiter);
    return { charged, mayRead };
  }

  /** The session is gone: it holds nothing any more and waits for nothing. */
  forget(waiter: BudgetWaiter, previous: number): void {
    this.waiters.delete(waiter);
    if (previous === 0) return;
    this.used -= previous;
    this.wake();
  }

  /** Room freed: the waiting sessions try again, oldest first, while there is room. */
  private wake(): void {
    if (this.waking || this.used > this.limitBytes || this.waiters.size === 0) return;
    this.waking = true;
    try {
      for (const waiter of [...this.waiters]) {
        if (this.used > this.limitBytes) break;
        this.waiters.delete(waiter);
        waiter.budgetFreed();
      }
    } finally {
      this.waking = false;
    }
  }
}

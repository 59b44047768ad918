/**
 * Whether a session reads its client's socket, and what the bytes it holds cost. A session
 * stops reading for any of three reasons, each kept on its own, and reads again only once none
 * holds: it has many frames queued already, the server connection reads slower than the
 * client writes, or the process's memory budget for client bytes is spent. It also knows
 * since when the client has left a message half sent (the slow-client timeout's clock).
 */
import type { ByteChannel } from '../link/byte-channel';
import type { BudgetWaiter, ClientMemoryBudget } from './client-memory-budget';

export const enum ReadPause {
  /** More frames are queued than the session sends on at once. */
  Backlog = 1,
  /** The server connection is congested: what the client sends would only pile up. */
  ServerBusy = 2,
  /** The memory budget for client bytes is spent. */
  Budget = 4,
}

export class ClientReading implements BudgetWaiter {
  private paused = 0;
  private charged = 0;
  /** Since when (Date.now()) a message has been arriving without its end, or 0. */
  partialSince = 0;

  /** `held`: the bytes the session holds for its client now (framer buffer and queued frames). */
  constructor(
    private socket: ByteChannel,
    private readonly budget: ClientMemoryBudget,
    private readonly held: () => number,
  ) {}

  /** After TLS starts, the session reads the secure socket instead. */
  useSocket(socket: ByteChannel): void {
    this.socket = socket;
  }

  /**
   * Bytes were framed or frames sent on: charges what the session holds and pauses the socket
   * when the budget is spent. `partial`: a message is still arriving.
   */
  account(partial: boolean): void {
    if (!partial) this.partialSince = 0;
    else if (this.partialSince === 0) this.partialSince = Date.now();
    const { charged, mayRead } = this.budget.charge(this, this.charged, this.held());
    this.charged = charged;
    this.set(ReadPause.Budget, !mayRead);
  }

  budgetFreed(): void {
    this.account(this.partialSince !== 0);
  }

  /** Turns one reason to pause on or off; the socket reads only when no reason holds. */
  set(reason: ReadPause, on: boolean): void {
    const before = this.paused;
    this.paused = on ? before | reason : before & ~reason;
    if (before === 0 && this.paused !== 0) this.socket.pause();
    else if (before !== 0 && this.paused === 0) this.socket.resume();
  }

  /** The session ended: its bytes go back to the budget. */
  forget(): void {
    this.budget.forget(this, this.charged);
    this.charged = 0;
  }
}

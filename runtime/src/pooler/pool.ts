/**
 * Server connections for one (user, database): a few real connections shared by many client
 * sessions. Sessions wait in a queue with a deadline when all are busy; connections past their
 * lifetime or idle too long are closed; a Postgres that went away is reconnected with
 * back-off. An idle connection the asking session used last is preferred: it needs no reset;
 * one whose last session ended is reset at once.
 * A connection may log in with the startup application_name of the session it is opened for,
 * and then serves only sessions that have one (carried-startup.ts).
 */
import { encodeFrontend } from '../protocol/encode-frontend';
import type { Logger } from '../util/log';
import type { Backend, BackendConnection, CycleHint } from '../session/backend';
import type { ConnectionBudget } from './connection-budget';
import { ServerConnection, ServerLoginError } from '../session/server-connection';
import { connectTo } from '../link/server-target';
import { pipelineCandidate } from './pipeline-candidate';
import { IdleConnections } from './idle-connections';
import { EndedSessionResets } from './ended-session-reset';
import { type CarriedStartup, NO_CARRIED_STARTUP, startupCovers } from '../session/carried-startup';

export interface PoolOptions {
  readonly target: { readonly socketDir: string; readonly port: number };
  readonly size: number;
  readonly minSize: number;
  readonly queueTimeoutMs: number;
  readonly idleTimeoutMs: number;
  readonly lifetimeMs: number;
  readonly statementCacheSize: number;
  /**
   * A session's plain statement may be pipelined behind another's that has run for less than
   * this (ms); 0 turns pipelining off. See tryPipeline.
   */
  readonly pipelineBehindMs: number;
  /**
   * How many sessions' statements may wait behind the one running on a connection (sent in
   * the same write when they come together, answered back to back); 0 turns pipelining off.
   */
  readonly pipelineDepth: number;
}

/**
 * The default for PoolOptions.pipelineBehindMs: most statements end within a millisecond or
 * two; one that has run longer is likely a long one, and nothing should wait behind it.
 */
export const PIPELINE_BEHIND_MS = 2;

/** No server connection became free in time: SQLSTATE 53300, like Postgres' own limit. */
export class PoolTimeoutError extends Error {
  readonly code = '53300';
}

interface Waiter {
  readonly resolve: (connection: ServerConnection) => void;
  readonly reject: (error: Error) => void;
  readonly since: number;
  /** Only a connection no session has used will do (CycleHint.fresh). */
  readonly fresh: boolean;
  /** What the session's startup carries: only connections it covers will do. */
  readonly startup: CarriedStartup;
  /** When its queue timeout started: when it came, or when a pause it waited through ended. */
  timeoutFrom: number;
}

export interface PoolStats {
  readonly user: string;
  readonly database: string;
  readonly active: number;
  readonly idle: number;
  readonly waiting: number;
  readonly opening: number;
  /** Statements sent behind another session's on a busy connection (tryPipeline), since the pool began. */
  readonly pipelined: number;
}

export class Pool implements Backend {
  readonly lossMessage = 'the connection to Postgres was lost; reconnect to continue';
  private readonly idle = new IdleConnections((connection) => this.discard(connection));
  private readonly all = new Set<ServerConnection>();
  /** Oldest first; all share one queue timeout, so one timer (for the oldest) covers them all. */
  private readonly waiters: Waiter[] = [];
  private waiterTimer: NodeJS.Timeout | undefined;
  private opening = 0;
  private failures = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  /** Why the last attempt to open a connection failed, until one succeeds (told to sessions that time out). */
  private lastOpenError: string | undefined;
  private closed = false;
  /** PgBouncer's PAUSE: new acquisitions wait (without the queue timeout), connections in use finish. */
  private paused = false;
  private pipelined = 0;
  /** Idle connections being reset because their last session ended (idle to the stats). */
  private readonly resets = new EndedSessionResets((connection, reset) => (reset ? this.release(connection) : this.discard(connection)));
  /**
   * Statements (text + parameter types) some server connection of this pool accepted: a
   * session may prepare one of these without borrowing a connection (see ClientSession).
   */
  readonly knownStatements = new Set<string>();
  /** Wait times of acquisitions that queued, for the metrics histogram. */
  onWait: (seconds: number) => void = () => undefined;

  constructor(
    readonly user: string,
    readonly database: string,
    private options: PoolOptions,
    private readonly budget: ConnectionBudget,
    private readonly log: Logger,
  ) {
    budget.register(this);
  }

  get total(): number {
    return this.all.size + this.opening;
  }

  get idleCount(): number {
    return this.idle.length;
  }

  stats(): PoolStats {
    return {
      user: this.user,
      database: this.database,
      active: this.all.size - this.idle.length - this.resets.count,
      idle: this.idle.length + this.resets.count,
      waiting: this.waiters.length,
      opening: this.opening,
      pipelined: this.pipelined,
    };
  }

  /** An idle connection right now (preferring one `owner` used last), or undefined. */
  tryAcquire(owner: object, hint?: CycleHint, startup: CarriedStartup = NO_CARRIED_STARTUP): ServerConnection | undefined {
    if (this.closed || this.paused) return undefined;
    return hint?.fresh ? this.idle.takeFresh(startup) : this.idle.take(owner, startup);
  }

  /**
   * New settings from a changed spec (polygres apply): a smaller pool closes idle connections
   * now and busy ones as they come back; a larger one opens for its waiters at once.
   */
  reconfigure(options: PoolOptions): void {
    this.options = options;
    while (this.all.size > options.size && this.yieldIdle());
    clearTimeout(this.waiterTimer);
    this.waiterTimer = undefined;
    this.armWaiterTimer();
    this.grow();
  }

  /** Sessions wait for a connection until resume(); those holding one (mid-transaction, pinned) go on. */
  pause(): void {
    this.paused = true;
    clearTimeout(this.waiterTimer);
    this.waiterTimer = undefined;
  }

  /** Hands connections to the waiters again; their queue timeout counts from now. */
  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    const now = Date.now();
    for (const waiter of this.waiters) waiter.timeoutFrom = now;
    while (this.waiters.length > 0) {
      const { fresh, startup } = this.waiters[0]!;
      const connection = fresh ? this.idle.takeFresh(startup) : this.idle.take(undefined, startup);
      if (!connection) break;
      this.waiters.shift()!.resolve(connection);
    }
    // The first waiter may use none of the idle connections, and the pool cannot grow: one makes room.
    if (this.waiters.length > 0 && !this.mayGrow()) this.yieldIdle();
    this.armWaiterTimer();
    this.grow();
  }

  /**
   * With no connection idle, the pool unable to grow and nobody waiting: a busy connection a
   * session's single plain statement may be sent behind (pipelineCandidate says which).
   * A pool that may still grow (below its size, with the connection budget not spent) opens
   * a connection instead: statements run side by side.
   * Sessions that wait for a connection come first: while any waits, nothing is pipelined, so
   * a freed connection goes to them and they cannot be starved. The session's statement is
   * judged (`statementMayFollow`) last, and only when there is a candidate.
   */
  tryPipeline(statementMayFollow: () => boolean, startup: CarriedStartup = NO_CARRIED_STARTUP): ServerConnection | undefined {
    const { pipelineBehindMs, pipelineDepth } = this.options;
    if (pipelineBehindMs === 0 || pipelineDepth === 0 || this.closed || this.paused || this.waiters.length > 0) return undefined;
    if (this.mayGrow()) return undefined;
    const best = pipelineCandidate(this.all, { behindMs: pipelineBehindMs, depth: pipelineDepth }, performance.now(), startup);
    if (!best || !statementMayFollow()) return undefined;
    this.pipelined += 1;
    return best;
  }

  /** Sends a CancelRequest to Postgres with the key of the connection running the query. */
  cancel(connection: BackendConnection): void {
    const { backendKey } = connection as ServerConnection;
    const socket = connectTo(this.options.target);
    socket.on('error', () => socket.destroy());
    socket.once('connect', () => socket.end(encodeFrontend({ type: 'cancelRequest', ...backendKey })));
  }

  /**
   * A connection for the session `owner`, whose startup carries `startup`. When the pool is
   * full and only connections it may not use are idle — used ones, for a session that needs a
   * fresh one (hint.fresh, rare: see ClientSession), or ones opened with an application_name
   * for a session without one — one is closed and a connection opened for it: worth a login.
   */
  acquire(owner: object, hint?: CycleHint, startup: CarriedStartup = NO_CARRIED_STARTUP): Promise<ServerConnection> {
    if (this.closed) return Promise.reject(new Error('the pool is shutting down'));
    const fresh = hint?.fresh === true;
    const ready = this.tryAcquire(owner, hint, startup);
    if (ready) return Promise.resolve(ready);
    return new Promise((resolve, reject) => {
      const now = Date.now();
      this.waiters.push({ resolve, reject, since: now, fresh, startup, timeoutFrom: now });
      this.armWaiterTimer();
      if (!this.paused && !this.mayGrow()) this.yieldIdle();
      this.grow();
    });
  }

  /** Fails waiters that have waited the queue timeout; runs again when the next one would. */
  private armWaiterTimer(): void {
    if (this.waiterTimer || this.paused || this.waiters.length === 0) return;
    const due = this.waiters[0]!.timeoutFrom + this.options.queueTimeoutMs - Date.now();
    this.waiterTimer = setTimeout(() => {
      this.waiterTimer = undefined;
      const now = Date.now();
      while (this.waiters.length > 0 && now - this.waiters[0]!.timeoutFrom >= this.options.queueTimeoutMs) {
        const waiter = this.waiters.shift()!;
        waiter.reject(new PoolTimeoutError(
          `no server connection for ${this.user}@${this.database} became free within ${this.options.queueTimeoutMs} ms ` +
            `(pool size ${this.options.size}, ${this.waiters.length} other session(s) waiting)` +
            (this.lastOpenError ? `; the last attempt to open one failed: ${this.lastOpenError}` : ''),
        ));
      }
      this.armWaiterTimer();
    }, Math.max(due, 0));
  }

  /**
   * Returns a connection: to the session pipelined behind its last statement if there is one,
   * else to a waiter or the idle list; a broken or expired one is closed and replaced on demand
   * (a follower of a broken one learns of it when it closes).
   */
  release(backendConnection: BackendConnection): void {
    const connection = backendConnection as ServerConnection;
    const now = Date.now();
    connection.lastUsedAt = now;
    if (!connection.broken && !connection.closed && !connection.discardAfterUse && connection.handOver()) return;
    if (connection.broken || connection.closed || connection.discardAfterUse || this.closed || now - connection.createdAt > this.options.lifetimeMs || this.all.size > this.options.size) {
      this.discard(connection);
      this.grow();
      return;
    }
    if (this.paused || this.waiters.length === 0) {
      this.idle.push(connection);
      return;
    }
    const taker = this.waiters.findIndex((waiter) => mayTake(waiter, connection));
    if (taker !== 0 && !this.mayGrow()) {
      // The first waiter may not use this one (it needs a backend nobody used, or has no
      // application_name for one opened with it) and the pool cannot grow: it makes room.
      this.discard(connection);
      this.grow();
      return;
    }
    if (taker === -1) {
      this.idle.push(connection);
      return;
    }
    // The first waiter, or (the pool growing for the first) the first that may use it.
    const waiter = this.waiters.splice(taker, 1)[0]!;
    this.onWait((now - waiter.since) / 1000);
    waiter.resolve(connection);
  }

  /**
   * The session `owner` has ended: an idle connection it used last is reset now, so what it left
   * there ends with it (ended-session-reset.ts); one it handed on was reset by its taker.
   */
  sessionClosed(owner: object): void {
    for (const connection of this.idle.all()) {
      if (connection.lastOwner !== owner || !this.idle.remove(connection)) continue;
      if (connection.broken || connection.closed) this.discard(connection);
      else this.resets.start(connection);
    }
  }

  /** Closes one idle connection so another pool can open one (fair share); true if it did. */
  yieldIdle(): boolean {
    const connection = this.idle.shift();
    if (!connection) return false;
    this.discard(connection);
    return true;
  }

  /** Periodic upkeep: idle timeouts, lifetimes, the minimum size. */
  maintain(): void {
    const now = Date.now();
    for (const connection of this.idle.all()) {
      const expired = now - connection.createdAt > this.options.lifetimeMs;
      const idleTooLong = now - connection.lastUsedAt > this.options.idleTimeoutMs && this.all.size > this.options.minSize;
      if (expired || idleTooLong || connection.broken || connection.closed) {
        this.idle.remove(connection);
        this.discard(connection);
      }
    }
    while (this.total < this.options.minSize && this.budget.tryTake(this)) this.open();
  }

  /**
   * Sends the sessions waiting for a connection away with `error` (they hold none and nothing
   * of theirs ran): a gateway does this to its pool of a node that stopped being the primary, so
   * its waiters go to the new one; a pooler whose node accepts a new term does it to all of its
   * pools, so nothing routed under the old term runs there.
   */
  turnAwayWaiters(error: Error): void {
    clearTimeout(this.waiterTimer);
    this.waiterTimer = undefined;
    for (const waiter of this.waiters.splice(0)) waiter.reject(error);
  }

  shutdown(): void {
    this.closed = true;
    clearTimeout(this.retryTimer);
    clearTimeout(this.waiterTimer);
    for (const waiter of this.waiters.splice(0)) waiter.reject(new Error('the pooler is shutting down'));
    for (const connection of [...this.all]) this.discard(connection);
  }

  /** Below its size, with the connection budget not spent. */
  private mayGrow(): boolean {
    return this.total < this.options.size && !this.budget.spent;
  }

  /** Opens connections while sessions wait and the pool and the global budget allow. */
  private grow(): void {
    if (this.closed || this.paused || this.retryTimer) return;
    while (this.waiters.length > this.opening && this.total < this.options.size && this.budget.tryTake(this)) this.open(this.startupToOpen());
  }

  /**
   * The first waiter's application_name when every waiter has one too (each may then use the
   * connection), else none: a plain connection serves every session.
   */
  private startupToOpen(): CarriedStartup {
    const first = this.waiters[0]?.startup ?? NO_CARRIED_STARTUP;
    if (first.settings.size === 0 || this.waiters.some((waiter) => !startupCovers(waiter.startup, first))) return NO_CARRIED_STARTUP;
    return first;
  }

  private open(startup: CarriedStartup = NO_CARRIED_STARTUP): void {
    this.opening += 1;
    ServerConnection.open(this.options.target, this.user, this.database, this.options.statementCacheSize, { startup }).then(
      (connection) => {
        this.opening -= 1;
        this.failures = 0;
        this.lastOpenError = undefined;
        this.all.add(connection);
        connection.onClosed(() => {
          // In use, its session sees the failure and releases it broken.
          if (this.idle.remove(connection)) this.discard(connection);
        });
        this.release(connection);
      },
      (error: Error) => {
        this.opening -= 1;
        this.budget.give();
        this.failures += 1;
        this.lastOpenError = error.message;
        // A login refusal (no such database, role) is final for the sessions that asked; a
        // server starting up, shutting down or full is tried again, like an unreachable one.
        if (error instanceof ServerLoginError && !error.transient) {
          for (const waiter of this.waiters.splice(0)) waiter.reject(error);
          return;
        }
        const delay = Math.min(100 * 2 ** (this.failures - 1), 5_000);
        this.log.warn({ err: error.message, user: this.user, database: this.database, retryInMs: delay }, 'cannot open a server connection');
        this.retryTimer = setTimeout(() => {
          this.retryTimer = undefined;
          this.grow();
        }, delay);
      },
    );
  }

  private discard(connection: ServerConnection): void {
    if (!this.all.delete(connection)) return;
    connection.close();
    this.budget.give();
  }
}

/** May `waiter` take `connection`? */
function mayTake(waiter: Waiter, connection: ServerConnection): boolean {
  return (!waiter.fresh || connection.lastOwner === undefined) && startupCovers(waiter.startup, connection.startup);
}

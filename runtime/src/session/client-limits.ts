/**
 * The edge's limits for one process's client sessions (a gateway's, or a pooler's direct
 * clients): how many may be logged in, in all and per user; how many may be logging in at
 * once; how long a login, an idle transaction and a stalled client may last; and the memory
 * budget for client bytes (client-memory-budget.ts). Sessions report to it; one timer a
 * second sweeps them for the timeouts, so nothing is armed or cleared per statement.
 *
 * Sessions of a trusted link (a gateway's sessions at a pooler) are exempt from the caps and
 * timeouts: the gateway that carries them enforces its own. They still share the memory
 * budget.
 */
import type { ClientLimitsSpec } from '../spec/schema';
import { ClientMemoryBudget } from './client-memory-budget';

/** What the limits see of a session. */
export interface LimitedSession {
  /** When the connection was accepted (Date.now()). */
  readonly openedAt: number;
  /** Since when the session sits idle inside a transaction (Date.now()), or 0. */
  readonly idleInTransactionSince: number;
  /** Since when the client has left a message half sent or its results unread (Date.now()), or 0. */
  readonly stalledSince: number;
  /** The client has sent its StartupMessage: it is logging in, not just holding a socket. */
  readonly startedLogin: boolean;
  /** The session has sent the server something it has not fully answered yet (or waits for a connection). */
  readonly awaitingServer: boolean;
  /** How many messages the server has sent the session: it moves while answers come. */
  readonly serverMessages: number;
  /** What the session waits for, for a log line (see ClientLimits' report of a long wait). */
  describeWait(): Record<string, unknown>;
  /** Ends the connection with an ErrorResponse of this SQLSTATE and message. */
  endForLimit(code: string, message: string): void;
}

/** Why a connection was refused or ended by a limit (the label of the metrics). */
export type LimitReason =
  | 'max_client_connections'
  | 'max_connections_per_user'
  | 'pending_logins_full'
  | 'login_timeout'
  | 'idle_in_transaction_timeout'
  | 'slow_client';

const SWEEP_MS = 1_000;

/** A session that has waited this long with no message from its server is reported once (a hang, or a long query: the log tells which). */
export const LONG_WAIT_MS = 60_000;

export class ClientLimits {
  readonly budget: ClientMemoryBudget;
  /** Connections not logged in yet, oldest first (a Set keeps insertion order). */
  private readonly pending = new Set<LimitedSession>();
  /** Those of them that have not even sent a StartupMessage, oldest first. */
  private readonly silent = new Set<LimitedSession>();
  /** Logged-in sessions the caps and timeouts apply to, with their user. */
  private readonly sessions = new Map<LimitedSession, string>();
  private readonly perUser = new Map<string, number>();
  /** How often each limit refused or ended a connection, for the metrics. */
  readonly counts = new Map<LimitReason, number>();
  private readonly timer: NodeJS.Timeout;
  /** Per waiting session: its server's message count when seen last, since when it has not moved, and whether it was reported. */
  private readonly waits = new WeakMap<LimitedSession, { messages: number; since: number; reported: boolean }>();

  /**
   * `service` names the process in messages ("gateway", "pooler"); `onLongWait` hears once of a
   * session that has waited LONG_WAIT_MS for its server with no message from it.
   */
  constructor(
    private settings: ClientLimitsSpec,
    private readonly service: string,
    private readonly onLongWait: (session: LimitedSession, waitedMs: number) => void = () => undefined,
  ) {
    this.budget = new ClientMemoryBudget(settings.clientBufferBytes);
    this.timer = setInterval(() => this.sweep(Date.now()), SWEEP_MS);
    this.timer.unref();
  }

  /** The limits in force (a changed spec replaces them, see reconfigure). */
  get options(): ClientLimitsSpec {
    return this.settings;
  }

  /**
   * New limits from a changed spec: caps and timeouts apply from the next check on, to
   * sessions already open too. The memory budget is sized once, so its size cannot change.
   */
  reconfigure(settings: ClientLimitsSpec): void {
    if (settings.clientBufferBytes !== this.settings.clientBufferBytes) throw new Error('gateway.limits.clientBufferBytes is fixed when the process starts');
    this.settings = settings;
  }

  get pendingLogins(): number {
    return this.pending.size;
  }

  get loggedIn(): number {
    return this.sessions.size;
  }

  /**
   * A connection was accepted. Past maxClientConnections it is refused (returns the message);
   * when maxPendingLogins connections are still logging in, one of them is closed to make
   * room — the oldest that has not sent a StartupMessage, or else the oldest: a flood of silent
   * sockets then churns through its own slots, while a client that logs in promptly gets through.
   */
  opened(session: LimitedSession): string | undefined {
    if (this.sessions.size >= this.settings.maxClientConnections) return this.refuse('max_client_connections', this.tooManyClients());
    if (this.pending.size >= this.settings.maxPendingLogins) {
      const evicted = (this.silent.size > 0 ? this.silent : this.pending).values().next().value!;
      this.pending.delete(evicted);
      this.silent.delete(evicted);
      this.count('pending_logins_full');
      evicted.endForLimit('53300', `sorry, too many clients are logging in at once (the ${this.service} keeps at most ${this.settings.maxPendingLogins}); this connection was the oldest still logging in`);
    }
    this.pending.add(session);
    this.silent.add(session);
    return undefined;
  }

  /** The connection sent its StartupMessage: it is no longer the first to make room. */
  loginStarted(session: LimitedSession): void {
    this.silent.delete(session);
  }

  /**
   * The session authenticated as `user`: counted against the caps (returns the message when
   * one is reached). `limited`: false for a trusted link's session, which no cap counts.
   */
  loggedInAs(session: LimitedSession, user: string, limited: boolean): string | undefined {
    this.pending.delete(session);
    this.silent.delete(session);
    if (!limited) return undefined;
    if (this.sessions.size >= this.settings.maxClientConnections) return this.refuse('max_client_connections', this.tooManyClients());
    const perUser = this.settings.maxConnectionsPerUser;
    const ofUser = this.perUser.get(user) ?? 0;
    if (perUser > 0 && ofUser >= perUser) {
      return this.refuse('max_connections_per_user', `too many connections for role "${user}": this ${this.service} serves at most ${perUser} sessions per user (gateway.limits.maxConnectionsPerUser)`);
    }
    this.sessions.set(session, user);
    this.perUser.set(user, ofUser + 1);
    return undefined;
  }

  /** The connection closed, whatever the reason. */
  ended(session: LimitedSession): void {
    this.pending.delete(session);
    this.silent.delete(session);
    const user = this.sessions.get(session);
    if (user === undefined) return;
    this.sessions.delete(session);
    const left = (this.perUser.get(user) ?? 1) - 1;
    if (left === 0) this.perUser.delete(user);
    else this.perUser.set(user, left);
  }

  /** Ends whatever overstayed a timeout. Runs every second; exposed for tests. */
  sweep(now: number): void {
    const { loginTimeoutMs, idleInTransactionTimeoutMs, slowClientTimeoutMs } = this.settings;
    for (const session of this.pending) {
      if (now - session.openedAt < loginTimeoutMs) break; // oldest first: the rest are younger
      this.pending.delete(session);
      this.silent.delete(session);
      this.count('login_timeout');
      session.endForLimit('57014', `canceling authentication due to timeout: the login did not complete within ${loginTimeoutMs} ms (gateway.limits.loginTimeoutMs)`);
    }
    for (const session of [...this.sessions.keys()]) {
      const idleSince = session.idleInTransactionSince;
      if (idleInTransactionTimeoutMs > 0 && idleSince > 0 && now - idleSince >= idleInTransactionTimeoutMs) {
        this.count('idle_in_transaction_timeout');
        session.endForLimit('25P03', `terminating connection due to idle-in-transaction timeout (${idleInTransactionTimeoutMs} ms, gateway.limits.idleInTransactionTimeoutMs)`);
        continue;
      }
      const stalledSince = session.stalledSince;
      if (stalledSince > 0 && now - stalledSince >= slowClientTimeoutMs) {
        this.count('slow_client');
        session.endForLimit('08006', `terminating connection: the client left a message half sent or its results unread for ${slowClientTimeoutMs} ms (gateway.limits.slowClientTimeoutMs)`);
        continue;
      }
      this.watchWait(session, now);
    }
  }

  private watchWait(session: LimitedSession, now: number): void {
    if (!session.awaitingServer) {
      this.waits.delete(session);
      return;
    }
    const messages = session.serverMessages;
    const wait = this.waits.get(session);
    if (!wait || wait.messages !== messages) {
      this.waits.set(session, { messages, since: now, reported: false });
      return;
    }
    if (wait.reported || now - wait.since < LONG_WAIT_MS) return;
    wait.reported = true;
    this.onLongWait(session, now - wait.since);
  }

  close(): void {
    clearInterval(this.timer);
  }

  private tooManyClients(): string {
    return `sorry, too many clients already: this ${this.service} serves at most ${this.settings.maxClientConnections} sessions (gateway.limits.maxClientConnections)`;
  }

  private refuse(reason: LimitReason, message: string): string {
    this.count(reason);
    return message;
  }

  private count(reason: LimitReason): void {
    this.counts.set(reason, (this.counts.get(reason) ?? 0) + 1);
  }
}

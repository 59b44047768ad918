/**
 * What a client session needs from the process that accepted it (a pooler or a gateway):
 * authentication, the backend its statements run on, TLS, limits, cancel registration and
 * metrics. The process knows its sessions only as RegisteredSessions.
 */
import type { NetworkChannel, ServerTls } from '../link/socket-reads';
import type { Backend } from './backend';
import type { ClientAuthenticator } from './client-auth';
import type { ClientLimits } from './client-limits';
import type { PinReason } from './session-state';
import type { Logger } from '../util/log';

export interface SessionContext {
  readonly log: Logger;
  readonly authenticator: ClientAuthenticator;
  /** The backend for a session; `startup` holds its startup settings by name (options -c included). */
  backend(user: string, database: string, startup: ReadonlyMap<string, string>): Backend;
  /** TLS for clients that ask (SSLRequest); absent: the session answers 'N'. */
  readonly tls?: ServerTls;
  /**
   * Clients must ask for TLS: a plaintext StartupMessage (or link request) is refused, naming
   * this as the reason ('gateway.tls.required'); CancelRequests are not, as with Postgres.
   */
  readonly tlsRequiredBy?: string;
  /** A link from a trusted peer (a gateway) presents this token and skips authentication. */
  readonly linkToken?: string;
  /** Takes over a connection that asked, with the link token, to become a multiplexed link. */
  acceptLink?(socket: NetworkChannel): void;
  /** The process's limits for client sessions: caps, timeouts, the memory budget. */
  readonly limits: ClientLimits;
  /** Registers the session for CancelRequests; returns its key. */
  register(session: RegisteredSession): { processId: number; secretKey: number };
  unregister(session: RegisteredSession): void;
  /** A CancelRequest came in; `from` is the sender's address (a peer gateway's, or a client's). */
  cancel(processId: number, secretKey: number, from?: string): void;
  readonly metrics: SessionMetrics;
}

/** A logged-in session, as the process that accepted it sees it. */
export interface RegisteredSession {
  readonly processId: number;
  /** Cancels the query the session is running, if any (a CancelRequest with its key came in). */
  cancel(): void;
  /** Why the session holds its server connection between transactions (for metrics). */
  pins(): PinReason[];
  /** Ends the session (its process is stopping). */
  close(): void;
}

export interface SessionMetrics {
  statementCacheHit(): void;
  statementCacheMiss(): void;
  /** A statement was sent (simple Query or Execute). */
  statement?(): void;
  /** An error reached the client. */
  error?(sqlstate: string): void;
  /** A statement cycle ended: seconds from its dispatch to its ReadyForQuery. */
  statementSeconds?(seconds: number): void;
  /** A connection's login ended, once per connection, over TLS or not. */
  login?(outcome: LoginOutcome, tls: boolean): void;
}

/**
 * How a login ended: `auth_failed` a wrong password or token; `refused` a limit or the TLS
 * requirement turned it away; `error` the login could not be completed (no server, no such
 * database).
 */
export type LoginOutcome = 'accepted' | 'auth_failed' | 'refused' | 'error';

export function loginOutcomeOf(sqlstate: string | undefined): LoginOutcome {
  if (sqlstate === '28P01') return 'auth_failed';
  if (sqlstate === '53300' || sqlstate === '28000') return 'refused';
  return 'error';
}

/** How many of `sessions` hold their connection between transactions, by reason. */
export function countPins(sessions: Iterable<{ readonly session: RegisteredSession }>): Map<PinReason, number> {
  const counts = new Map<PinReason, number>();
  for (const { session } of sessions) for (const reason of session.pins()) counts.set(reason, (counts.get(reason) ?? 0) + 1);
  return counts;
}

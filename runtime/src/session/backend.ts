/**
 * What a ClientSession talks to. In the pooler, a Pool of Postgres connections; in the
 * gateway, one link per session to the primary's pooler. Both speak the v3 protocol, so one
 * session implementation serves both: the pooler shares connections between transactions,
 * the gateway re-establishes its link after a failover — and each relies on the same
 * tracking of settings, prepared statements and pins.
 */
import type { FrameHandler } from '../protocol/framer';
import type { CarriedStartup } from './carried-startup';
import type { Follower } from './server-connection';
import type { SocketOutput } from './socket-output';
import type { StatementCache } from './statement-cache';

export interface BackendConnection {
  readonly id: number;
  readonly output: SocketOutput;
  /** Statements prepared on this connection under the session layer's own names. */
  readonly statements: StatementCache;
  /** Settings applied on this connection, as the statements that made them. */
  settings: ReadonlyMap<string, string>;
  settingsKey: string;
  /** The settings the connection logged in with: what a reset takes it back to (carried-startup.ts). */
  readonly startup: CarriedStartup;
  /**
   * The session that used this connection last (or uses it now): the server side may carry
   * anything that session did, tracked or not, so another session resets it first (see
   * handoff-reset.ts). Undefined on a connection no session has used yet.
   */
  lastOwner: object | undefined;
  /**
   * The session authorization is no longer the one the connection logged in with (Postgres
   * reports every change, even one made inside a function): the next reset must restore it.
   */
  identityChanged: boolean;
  broken: boolean;
  /**
   * A session gave the backend something no reset takes away and no later session may
   * inherit — a temporary schema (a new session has none until it makes a temporary object;
   * DISCARD TEMP empties it but keeps it, and PREPARE TRANSACTION, pg_my_temp_schema() and
   * current_schema() tell the difference): the pool closes the connection when it comes back.
   */
  discardAfterUse: boolean;
  readonly closed: boolean;
  /** ParameterStatus values from the connection's login. */
  readonly parameters: ReadonlyMap<string, string>;
  /** See ServerConnection.pipelinableSince. */
  pipelinableSince: number;
  readonly followed: boolean;
  follow(follower: Follower): void;
  attach(handler: FrameHandler): void;
  /** Stops (and restarts) reading the server: its client reads slower than it answers. */
  pause(): void;
  resume(): void;
  onClosed(callback: () => void): void;
  onDrain(callback: () => void): void;
}

/** What the session knows about the cycle it is about to start. */
export interface CycleHint {
  /** The cycle starts with a single read-only statement outside a transaction. */
  readonly readOnly?: boolean;
  /**
   * The cycle needs a backend no other session has used (lastOwner undefined): see
   * ClientSession's retry of a SET refused for a library another session loaded there.
   */
  readonly fresh?: boolean;
}

export interface Backend {
  /** Routes by CycleHint (read-only cycles elsewhere); others are not given one (it costs a parse). */
  readonly routesReadOnly?: boolean;
  /** Statements (text + parameter types) known to be valid here: preparable without a connection. */
  readonly knownStatements: Set<string>;
  /**
   * A connection available right now, or undefined (then acquire() waits). `owner` is the
   * asking session: a connection it used last needs no reset, so it is preferred.
   */
  tryAcquire(owner: object, hint?: CycleHint): BackendConnection | undefined;
  acquire(owner: object, hint?: CycleHint): Promise<BackendConnection>;
  /**
   * When no connection is free: a busy one whose running statement a session's single plain
   * statement may be pipelined behind (the session then follows it), or undefined.
   * `statementMayFollow` is asked only once such a connection is found.
   */
  tryPipeline?(statementMayFollow: () => boolean): BackendConnection | undefined;
  release(connection: BackendConnection): void;
  /** Cancels the query running on `connection`. */
  cancel(connection: BackendConnection): void;
  /** Said to the client when its connection is lost mid-request. */
  readonly lossMessage: string;
  /** The session `owner`, which used this backend, has ended (a pool resets the idle connection it used last). */
  sessionClosed?(owner: object): void;
  /**
   * Login parameters (ParameterStatus) a recent login of the same user and database saw: a
   * session may log in without borrowing a connection when they are known.
   */
  loginParameters?(): ReadonlyMap<string, string> | undefined;
  rememberLoginParameters?(parameters: ReadonlyMap<string, string>): void;
  /**
   * A statement to run on `connection` after a cycle, before the connection is released
   * (its first value goes to `observe`): how read-your-writes learns the primary's position.
   */
  afterCycle?(connection: BackendConnection): string | undefined;
  observe?(connection: BackendConnection, value: string | null): void;
}

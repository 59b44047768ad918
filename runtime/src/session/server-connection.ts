/**
 * One connection from the pooler to Postgres, over the private Unix socket, for one
 * (user, database). It logs in (trusted socket), remembers the server's parameters and
 * cancel key, and then hands every frame the server sends to whoever owns it right now.
 */
import type { ByteChannel } from '../link/byte-channel';
import { MessageFramer, type FrameHandler } from '../protocol/framer';
import { decodeBackend } from '../protocol/decode-backend';
import { encodeFrontend } from '../protocol/encode-frontend';
import { BackendCode } from '../protocol/codes';
import { PROTOCOL_VERSION_3 } from '../protocol/constants';
import { connectDelivering } from '../link/socket-reads';
import { type ServerTarget, addressOf } from '../link/server-target';
import { SocketOutput } from './socket-output';
import { StatementCache } from './statement-cache';
import { type CarriedStartup, NO_CARRIED_STARTUP } from './carried-startup';

/** Postgres refused the login (a database that does not exist, a role that may not log in...). */
export class ServerLoginError extends Error {
  constructor(readonly fields: Readonly<Record<string, string>>) {
    super(fields.M ?? 'login refused by the server');
  }

  /**
   * A refusal that passes: the server is starting up or shutting down (57P01-57P03: a restart,
   * a fence, a promotion) or out of connections (class 53). A pool's waiting sessions keep
   * waiting, within their queue timeout, while it tries again with back-off.
   */
  get transient(): boolean {
    const code = this.fields.C ?? '';
    return code.startsWith('57P0') || code.startsWith('53');
  }
}

/**
 * A session whose statement was sent on a connection while another session's statement runs
 * there (pipelined, see Pool.tryPipeline). It sees the connection's frames from the moment the
 * running cycle ends; the fields may change while it waits (a session that goes away leaves
 * a handler that only waits its answer out).
 */
export interface Follower {
  handler: FrameHandler;
  /** The connection closed before or after the follower's turn came. */
  onClosed: () => void;
  /** The follower's turn: the frames from now on are its own. */
  onPromoted: () => void;
}

let nextId = 0;

export class ServerConnection {
  readonly id = ++nextId;
  readonly createdAt = Date.now();
  lastUsedAt = Date.now();
  /** ParameterStatus values the server sent at login. */
  readonly parameters = new Map<string, string>();
  backendKey = { processId: 0, secretKey: 0 };
  /** Statements the pooler prepared on this connection. */
  readonly statements: StatementCache;
  /** Session settings applied on this connection, as the SET statements that made them. */
  settings: ReadonlyMap<string, string>;
  settingsKey: string;
  lastOwner: object | undefined = undefined;
  identityChanged = false;
  discardAfterUse = false;
  /** Set when the connection must not be reused (socket error, FATAL, protocol confusion). */
  broken = false;
  /**
   * When (performance.now()) the statement running here started, while the connection's only
   * outstanding work is one statement another session's may be pipelined behind; 0 otherwise.
   */
  pipelinableSince = 0;
  /** Sessions whose statements wait behind the running cycle, in the order they were sent. */
  private readonly followers: Follower[] = [];
  readonly output: SocketOutput;
  private readonly framer = new MessageFramer();
  private handler: FrameHandler | undefined;
  private onClose: (() => void) | undefined;

  private constructor(
    private readonly socket: ByteChannel,
    cacheSize: number,
    readonly startup: CarriedStartup,
  ) {
    this.output = new SocketOutput(socket, 'server');
    this.statements = new StatementCache(cacheSize);
    this.settings = startup.settings;
    this.settingsKey = startup.key;
  }

  static async open(
    target: ServerTarget,
    user: string,
    database: string,
    cacheSize: number,
    options: { timeoutMs?: number; parameters?: Readonly<Record<string, string>>; startup?: CarriedStartup } = {},
  ): Promise<ServerConnection> {
    // Each read is a chunk of its own, so frames stay valid as long as a session holds them.
    const socket = connectDelivering(addressOf(target), (chunk) => connection.received(chunk));
    socket.setNoDelay(true);
    const startup = options.startup ?? NO_CARRIED_STARTUP;
    const connection = new ServerConnection(socket, cacheSize, startup);
    await connection.login(user, database, options.timeoutMs ?? 5_000, { ...options.parameters, ...startup.parameters }, false);
    return connection;
  }

  /** Logs in over a channel that is already connected (a session on a multiplexed link). */
  static async over(
    channel: ByteChannel,
    user: string,
    database: string,
    cacheSize: number,
    options: { timeoutMs?: number; parameters?: Readonly<Record<string, string>>; startup?: CarriedStartup } = {},
  ): Promise<ServerConnection> {
    const startup = options.startup ?? NO_CARRIED_STARTUP;
    const connection = new ServerConnection(channel, cacheSize, startup);
    await connection.login(user, database, options.timeoutMs ?? 5_000, { ...options.parameters, ...startup.parameters }, true);
    return connection;
  }

  /** Routes every server frame to `handler` from now on (the owning session, or the pool). */
  attach(handler: FrameHandler): void {
    this.handler = handler;
  }

  /** Called once when the socket closes, whatever the reason. */
  onClosed(callback: () => void): void {
    this.onClose = callback;
  }

  /** A session's statement waits behind the running one. */
  get followed(): boolean {
    return this.followers.length > 0;
  }

  /** How many sessions' statements wait behind the running one (Pool.tryPipeline keeps it within the pipeline depth). */
  get followerCount(): number {
    return this.followers.length;
  }

  /** Queues `follower` behind the running cycle and those already queued (whose owners must not send more until their turn ends). */
  follow(follower: Follower): void {
    this.followers.push(follower);
  }

  /** The owner's cycle ended: the first follower, if any, owns the connection now (true), else nobody does. */
  handOver(): boolean {
    const next = this.followers.shift();
    if (!next) return false;
    this.handler = next.handler;
    this.onClose = next.onClosed;
    next.onPromoted();
    return true;
  }

  get closed(): boolean {
    return this.socket.destroyed;
  }

  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  onDrain(callback: () => void): void {
    this.socket.once('drain', callback);
  }

  /**
   * Runs one simple query on a connection nobody else is using (the pooler's own work, such
   * as looking up a password verifier) and returns its rows as text.
   */
  query(sql: string, timeoutMs = 5_000): Promise<(string | null)[][]> {
    return new Promise((resolve, reject) => {
      const rows: (string | null)[][] = [];
      let failure: Error | undefined;
      const timer = setTimeout(() => {
        this.destroy();
        reject(new Error(`internal query timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      this.attach((code, buffer, _frame, body, end) => {
        const message = decodeBackend(code, buffer, body, end);
        if (message.type === 'dataRow') rows.push(message.values.map((value) => (value === null ? null : value.toString('utf8'))));
        else if (message.type === 'errorResponse') failure = new Error(message.fields.M ?? 'query failed');
        else if (message.type === 'readyForQuery') {
          clearTimeout(timer);
          this.handler = undefined;
          if (failure) reject(failure);
          else resolve(rows);
        }
      });
      this.output.write(encodeFrontend({ type: 'query', sql }));
    });
  }

  close(): void {
    if (this.socket.destroyed) return;
    this.output.write(encodeFrontend({ type: 'terminate' }));
    this.output.end();
    this.socket.destroySoon();
  }

  destroy(): void {
    this.broken = true;
    this.socket.destroy();
  }

  /** Bytes from the server, in order; `chunk` is ours to keep. */
  private received(chunk: Buffer): void {
    try {
      this.framer.push(chunk, this.onFrame);
    } catch {
      this.destroy();
    }
  }

  private readonly onFrame: FrameHandler = (code, buffer, frame, body, end, stable) => {
    if (code === BackendCode.ErrorResponse && this.handler === undefined) this.broken = true;
    if (code === BackendCode.ParameterStatus && this.loggedIn) this.noteParameter(buffer, body, end);
    this.handler?.(code, buffer, frame, body, end, stable);
  };

  private loggedIn = false;

  /** A setting Postgres reports changed after login: the session authorization is watched. */
  private noteParameter(buffer: Buffer, body: number, end: number): void {
    const message = decodeBackend(BackendCode.ParameterStatus, buffer, body, end) as { name: string; value: string };
    if (message.name === 'session_authorization') this.identityChanged = message.value !== this.parameters.get('session_authorization');
  }

  /** `overChannel`: the channel is connected already and emits what it reads (else: our socket, whose reads come to received()). */
  private login(user: string, database: string, timeoutMs: number, extra: Readonly<Record<string, string>>, overChannel: boolean): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => fail(new Error(`no answer from Postgres within ${timeoutMs} ms`)), timeoutMs);
      const fail = (error: Error) => {
        clearTimeout(timer);
        this.destroy();
        reject(error);
      };
      this.handler = (code, buffer, _frame, body, end) => {
        const message = decodeBackend(code, buffer, body, end);
        switch (message.type) {
          case 'authenticationOk':
            return;
          case 'parameterStatus':
            this.parameters.set(message.name, message.value);
            return;
          case 'backendKeyData':
            this.backendKey = { processId: message.processId, secretKey: message.secretKey };
            return;
          case 'readyForQuery':
            clearTimeout(timer);
            this.handler = undefined;
            this.loggedIn = true;
            resolve();
            return;
          case 'errorResponse':
            fail(new ServerLoginError(message.fields));
            return;
          case 'noticeResponse':
            return;
          default:
            fail(new Error(`the server asked for ${message.type} on a trusted connection: check pg_hba.conf, or the link token`));
        }
      };
      if (overChannel) this.socket.on('data', (chunk: Buffer) => this.received(chunk));
      this.socket.on('error', (error) => fail(error));
      this.socket.on('close', () => {
        this.broken = true;
        clearTimeout(timer);
        reject(new Error('Postgres closed the connection during login'));
        // The followers first leave the queue, so the owner's release cannot hand one a dead connection.
        const followers = this.followers.splice(0);
        this.onClose?.();
        for (const follower of followers) follower.onClosed();
      });
      const start = () => this.output.write(encodeFrontend({ type: 'startup', protocolVersion: PROTOCOL_VERSION_3, parameters: { user, database, client_encoding: 'UTF8', ...extra } }));
      if (overChannel) start();
      else this.socket.once('connect', start);
    });
  }
}

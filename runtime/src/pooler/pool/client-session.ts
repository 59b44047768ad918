/**
 * One client session of the pooler: it logs the client in, then borrows a server connection
 * for each transaction (or each statement outside one) and gives it back at ReadyForQuery 'I'
 * unless something pins the session (SessionState). Prepared statements are mapped from the
 * client's names to the connection's own and prepared lazily where they run; settings follow
 * the session from connection to connection. Bytes the pooler does not need to read are
 * forwarded as they came.
 */
import { Socket } from 'node:net';
import { type SecureContext, TLSSocket } from 'node:tls';
import type { ByteChannel } from '../../link/byte-channel';
import { MUX_REQUEST_CODE } from '../../link/mux-protocol';
import { BackendCode, FrontendCode } from '../../protocol/codes';
import { SqlState } from '../../protocol/constants';
import { decodeBackend } from '../../protocol/decode-backend';
import { decodeFrontend, decodeStartupFrame } from '../../protocol/decode-frontend';
import { encodeBackend } from '../../protocol/encode-backend';
import { encodeFrontend } from '../../protocol/encode-frontend';
import { serializeErrorResponse } from '../../protocol/error-response';
import { type FrameHandler, MAX_STARTUP_MESSAGE_BYTES, MessageFramer } from '../../protocol/framer';
import type { FrontendMessage } from '../../protocol/messages';
import { ProtocolError, sqlStateError, sqlStateOf } from '../../protocol/protocol-error';
import { classify, isPlainStatement } from '../../sql/classify';
import type { SessionEffect, StatementInfo } from '../../sql/effects';
import type { Logger } from '../../util/log';
import type { ClientAuthenticator } from './client-auth';
import type { Backend, BackendConnection } from './backend';
import { ResponseQueue, completes } from './response-queue';
import { tlsServerEndPoint } from '../../protocol/scram-server';
import { type Follower, ServerLoginError } from './server-connection';
import { type PinReason, SessionState, settingsReplay } from './session-state';
import { SocketOutput } from './socket-output';
import { type ClientFrame, readClientFrame } from './client-frame';
import { handOffReset } from './handoff-reset';
import type { ClientLimits, LimitedSession } from './client-limits';
import { ClientReading, ReadPause } from './client-reading';

export interface SessionContext {
  readonly log: Logger;
  readonly authenticator: ClientAuthenticator;
  /** The backend for a session; `startup` holds its startup settings by name (options -c included). */
  backend(user: string, database: string, startup: ReadonlyMap<string, string>): Backend;
  /** TLS for clients that ask (SSLRequest); absent: the session answers 'N'. */
  readonly tls?: { readonly context: SecureContext; readonly certificateDer: Buffer };
  /** Clients must ask for TLS: a plaintext StartupMessage is refused (CancelRequests are not). */
  readonly tlsRequired?: boolean;
  /** A link from a trusted peer (a gateway) presents this token and skips authentication. */
  readonly linkToken?: string;
  /** Takes over a connection that asked, with the link token, to become a multiplexed link. */
  acceptLink?(socket: Socket): void;
  /** The process's limits for client sessions: caps, timeouts, the memory budget. */
  readonly limits: ClientLimits;
  /** Registers the session for CancelRequests; returns its key. */
  register(session: ClientSession): { processId: number; secretKey: number };
  unregister(session: ClientSession): void;
  cancel(processId: number, secretKey: number): void;
  readonly metrics: SessionMetrics;
}

export interface SessionMetrics {
  statementCacheHit(): void;
  statementCacheMiss(): void;
  /** A statement was sent (simple Query or Execute). */
  statement?(): void;
  /** An error reached the client. */
  error?(sqlstate: string): void;
}

interface PreparedStatement {
  readonly key: string;
  readonly sql: string;
  readonly parameterTypes: readonly number[];
  readonly info: StatementInfo;
}

/** The startup parameter a trusted link (gateway to pooler) authenticates with. */
export const LINK_TOKEN_PARAMETER = 'polygres.link_token';
/** Startup parameters that are not settings. */
const NOT_SETTINGS = new Set(['user', 'database', 'replication', 'options', LINK_TOKEN_PARAMETER]);
const NO_STATEMENT_EFFECTS: readonly SessionEffect[] = [];

export class ClientSession implements LimitedSession {
  readonly openedAt = Date.now();
  /** Since when the session has been idle inside a transaction (Date.now()), or 0. */
  idleInTransactionSince = 0;
  /** Since when the client has left results unread (its socket congested), or 0. */
  private unreadSince = 0;
  /** See LimitedSession. */
  get startedLogin(): boolean {
    return this.phase !== 'startup';
  }

  /** Logged in with the link token: a gateway's session, which the caps do not count. */
  private trustedLink = false;
  private output: SocketOutput;
  private socket: ByteChannel;
  private framer: MessageFramer;
  private channelBinding: Buffer | undefined;
  private phase: 'startup' | 'authenticating' | 'ready' | 'closed' = 'startup';
  private user = '';
  private database = '';
  private backend: Backend | undefined;
  private state = new SessionState();
  private key = { processId: 0, secretKey: 0 };
  private auth: ((message: FrontendMessage) => void) | undefined;

  private server: BackendConnection | undefined;
  private acquiring = false;
  /**
   * The session's place in the queue of `server` while its statement waits behind another
   * session's (see Backend.tryPipeline): the frames are not ours until that cycle ends, and
   * nothing more is sent meanwhile.
   */
  private following: Follower | undefined;
  /**
   * A cancel asked while the session's statement was not yet the one running (behind another
   * session's, or behind the reset and replay that prepare the connection): sent once it is,
   * so a cancel never interrupts a reset (see prepareConnection).
   */
  private cancelPending = false;
  /** Reset and replay queries of this session still running ahead of its statement. */
  private preparing = 0;
  private readonly queue: ClientFrame[] = [];
  /** Bytes of the frames in `queue`, for the memory budget. */
  private queuedBytes = 0;
  private readonly reading: ClientReading;
  private readonly responses = new ResponseQueue();
  private readonly statements = new Map<string, PreparedStatement>();
  private readonly portals = new Map<string, StatementInfo>();
  private unnamed: StatementInfo | undefined;

  /** Transaction bookkeeping for the cycle in progress. */
  private status: 'I' | 'T' | 'E' = 'I';
  private explicitTransaction = false;
  private cycleFailed = false;
  /** After an error the pooler raised in an extended-protocol cycle: ignore frames until Sync. */
  private skippingUntilSync = false;
  private lastTag = '';

  /** Asked by the pool only once it has a connection to pipeline behind (classifying costs a decode). */
  private readonly queuedStatementIsPlain = () => isPlainStatement(classify((this.queue[0]!.message as Extract<FrontendMessage, { type: 'query' }>).sql));

  /** Bound once: a connection is attached to the session for every transaction. */
  private readonly serverFrameHandler: FrameHandler = (code, buffer, frameStart, bodyStart, end, stable) => {
    try {
      this.onServerFrame(code, buffer, frameStart, bodyStart, end, stable);
    } catch (error) {
      this.crash(error);
    }
  };

  constructor(socket: ByteChannel, private readonly context: SessionContext) {
    this.socket = socket;
    this.framer = this.startupFramer();
    this.output = new SocketOutput(socket);
    this.reading = new ClientReading(socket, context.limits.budget, () => this.framer.retained + this.queuedBytes);
    socket.setNoDelay(true);
    this.listen(socket);
    const refused = context.limits.opened(this);
    if (refused) this.fail(SqlState.tooManyConnections, refused);
  }

  private get ended(): boolean {
    return this.phase === 'closed';
  }

  /** A framer for the start of a connection; its buffer grows ahead only while the memory budget has room. */
  private startupFramer(): MessageFramer {
    const { budget } = this.context.limits;
    return new MessageFramer({ startupPhase: true, maxMessageBytes: MAX_STARTUP_MESSAGE_BYTES, mayGrow: (extra) => budget.hasRoom(extra) });
  }

  /** See LimitedSession: a message half sent, or results unread, since when. */
  get stalledSince(): number {
    const partial = this.reading.partialSince;
    const unread = this.unreadSince;
    return partial === 0 ? unread : unread === 0 ? partial : Math.min(partial, unread);
  }

  /** A limit ends the session (see ClientLimits). */
  endForLimit(code: string, message: string): void {
    this.context.log.info({ user: this.user, code, reason: message }, 'closing a client connection at a limit');
    this.fail(code, message);
  }

  private listen(socket: ByteChannel): void {
    socket.on('data', (chunk: Buffer) => this.onClientData(chunk));
    socket.on('error', () => this.close());
    socket.on('close', () => this.close());
  }

  private get behind(): boolean {
    return this.following !== undefined;
  }

  get processId(): number {
    return this.key.processId;
  }

  /** Cancels the query this session is running, if any (a CancelRequest with its key came in). */
  cancel(): void {
    if (!this.server) return;
    this.cancelPending = true;
    this.sendPendingCancel();
  }

  /** Sends a pending cancel once what runs on the connection is the session's own statement. */
  private sendPendingCancel(): void {
    const server = this.server;
    if (!this.cancelPending || !server || this.behind || this.preparing > 0) return;
    this.cancelPending = false;
    server.pipelinableSince = 0; // nothing is pipelined behind a statement being cancelled
    this.backend?.cancel(server);
  }

  /** Why the session holds its server connection between transactions (for metrics). */
  pins(): PinReason[] {
    return this.state.pins();
  }

  // ------------------------------------------------------------------ client side

  /**
   * The client's bytes, inside the connection's error boundary: framing, decoding and
   * everything the frames set off until the next wait. Whatever fails in there ends this
   * connection (08P01 for bad bytes), never the process or another session.
   */
  private onClientData(chunk: Buffer): void {
    try {
      this.framer.push(chunk, (code, buffer, frameStart, bodyStart, end, stable) => {
        if (this.phase === 'closed') return;
        if (code === 0) return this.onStartupFrame(buffer, bodyStart, end);
        if (this.phase === 'authenticating') return this.auth?.(decodeFrontend(code, buffer, bodyStart, end));
        if (this.phase !== 'ready') throw new ProtocolError('unexpected message before startup completed');
        const bytes = stable ? buffer.subarray(frameStart, end) : Buffer.from(buffer.subarray(frameStart, end));
        this.queue.push(readClientFrame(code, bytes));
        this.queuedBytes += bytes.length;
        this.idleInTransactionSince = 0;
      });
      this.drain();
      this.reading.account(this.framer.buffered > 0);
    } catch (error) {
      this.crash(error);
    }
  }

  /**
   * Runs `work` (a continuation the session did not start from its own socket: a server
   * frame, a connection that became free, a drained socket, its turn behind another
   * statement) inside the connection's error boundary.
   */
  private guarded(work: () => void): void {
    try {
      work();
    } catch (error) {
      this.crash(error);
    }
  }

  /**
   * The error boundary's end: bad bytes are the client's protocol violation (08P01); anything
   * else is our own fault, logged with its stack and reported as an internal error. Either way
   * only this connection ends.
   */
  private crash(error: unknown): void {
    if (error instanceof ProtocolError) {
      this.context.log.info({ user: this.user, err: error.message }, 'client sent a malformed message; closing its connection');
      this.fail(SqlState.protocolViolation, error.message);
      return;
    }
    this.context.log.error({ user: this.user, err: error }, 'internal error in a session; closing its connection');
    this.fail(SqlState.internalError, 'internal error in the connection proxy; the session was closed (the server log has the details)');
  }

  private onStartupFrame(buffer: Buffer, bodyStart: number, end: number): void {
    const message = decodeStartupFrame(buffer, bodyStart, end);
    switch (message.type) {
      case 'sslRequest':
        if (this.context.tls && !this.channelBinding && this.socket instanceof Socket) {
          this.output.write(Buffer.from('S'));
          this.startTls(this.context.tls);
          return;
        }
        this.output.write(Buffer.from('N'));
        return;
      case 'gssEncRequest':
        this.output.write(Buffer.from('N'));
        return;
      case 'cancelRequest':
        this.context.cancel(message.processId, message.secretKey);
        this.output.end();
        this.phase = 'closed';
        return;
      case 'startup':
        if (message.protocolVersion === MUX_REQUEST_CODE) return this.becomeLink(message.parameters[LINK_TOKEN_PARAMETER]);
        this.framer.setStartupPhase(false);
        if (message.protocolVersion !== 196608) {
          throw new ProtocolError(`unsupported frontend protocol ${message.protocolVersion >> 16}.${message.protocolVersion & 0xffff}: the pooler speaks 3.0`);
        }
        this.user = message.parameters.user ?? '';
        this.database = message.parameters.database ?? this.user;
        if (!this.user) throw new ProtocolError('no PostgreSQL user name specified in startup packet');
        if (this.context.tlsRequired && !this.channelBinding) {
          this.fail('28000', `this gateway accepts only TLS connections (gateway.tls.required): connect with sslmode=require or verify-full (user "${this.user}", database "${this.database}")`);
          return;
        }
        this.state = new SessionState(startupSettings(message.parameters));
        this.phase = 'authenticating';
        this.context.limits.loginStarted(this);
        void this.authenticate(message.parameters[LINK_TOKEN_PARAMETER]);
        return;
      default:
        throw new ProtocolError(`unexpected ${message.type} during startup`);
    }
  }

  /**
   * A gateway asks for a multiplexed link: with the right token the connection stops being a
   * session and the context takes the socket over.
   */
  private becomeLink(linkToken: string | undefined): void {
    const socket = this.socket;
    if (!this.context.acceptLink || !(socket instanceof Socket)) throw new ProtocolError('this server does not accept multiplexed links');
    if (!this.context.linkToken || linkToken !== this.context.linkToken) {
      this.fail(SqlState.invalidPassword, 'invalid link token');
      return;
    }
    this.phase = 'closed';
    socket.removeAllListeners('data');
    socket.removeAllListeners('error');
    socket.removeAllListeners('close');
    this.context.acceptLink(socket);
  }

  /**
   * After 'S', the rest of the connection is TLS: the raw socket is handed to a TLSSocket and
   * the startup phase begins again inside it. The certificate's hash is the SCRAM-PLUS channel
   * binding.
   */
  private startTls(tls: { readonly context: SecureContext; readonly certificateDer: Buffer }): void {
    const raw = this.socket as Socket;
    raw.removeAllListeners('data');
    raw.removeAllListeners('error');
    raw.removeAllListeners('close');
    const secure = new TLSSocket(raw, { isServer: true, secureContext: tls.context });
    this.socket = secure;
    this.output = new SocketOutput(secure);
    this.reading.useSocket(secure);
    this.framer = this.startupFramer();
    this.channelBinding = tlsServerEndPoint(tls.certificateDer);
    this.listen(secure);
  }

  /**
   * Authenticates, then completes the login. Only a failed proof (or a refused password kind)
   * is 28P01: when the password cannot be checked at all (no pooler answers, a store is
   * down), the client hears that, as 08006, not that its password is wrong.
   */
  private async authenticate(linkToken: string | undefined): Promise<void> {
    try {
      if (linkToken !== undefined) {
        if (!this.context.linkToken || linkToken !== this.context.linkToken) throw sqlStateError(SqlState.invalidPassword, 'invalid link token');
        this.trustedLink = true;
      } else {
        await this.context.authenticator.authenticate(this.user, {
          send: (message) => this.output.write(encodeBackend(message)),
          receive: (handler) => (this.auth = handler),
          tls: this.channelBinding,
        });
      }
      this.auth = undefined;
    } catch (error) {
      this.fail(sqlStateOf(error, SqlState.connectionFailure), (error as Error).message);
      return;
    }
    try {
      await this.completeLogin();
    } catch (error) {
      this.fail(sqlStateOf(error, SqlState.connectionFailure), (error as Error).message);
      return;
    }
    this.guarded(() => this.drain());
  }

  /**
   * Checks the database and role with a real connection — unless a login of the same user and
   * database just did — then tells the client it is in.
   */
  private async completeLogin(): Promise<void> {
    if (this.ended) return; // the client left while it was authenticated
    const refused = this.context.limits.loggedInAs(this, this.user, !this.trustedLink);
    if (refused) return this.fail(SqlState.tooManyConnections, refused);
    this.backend = this.context.backend(this.user, this.database, this.startupValues);
    let parameters = new Map(this.backend.loginParameters?.() ?? []);
    if (parameters.size === 0) {
      let connection: BackendConnection;
      try {
        connection = await this.backend.acquire(this);
      } catch (error) {
        if (error instanceof ServerLoginError) return this.failWith(error.fields);
        return this.fail(sqlStateOf(error, SqlState.connectionFailure), (error as Error).message);
      }
      parameters = new Map(connection.parameters);
      this.backend.rememberLoginParameters?.(parameters);
      this.backend.release(connection);
    }
    if (this.phase === 'closed') return;
    // The client sees its own startup settings, as Postgres would report them.
    for (const [name, value] of this.startupValues) if (parameters.has(name)) parameters.set(name, value);
    this.key = this.context.register(this);
    this.output.write(encodeBackend({ type: 'authenticationOk' }));
    for (const [name, value] of parameters) this.output.write(encodeBackend({ type: 'parameterStatus', name, value }));
    this.output.write(encodeBackend({ type: 'backendKeyData', ...this.key }));
    this.output.write(encodeBackend({ type: 'readyForQuery', status: 'I' }));
    this.framer.setMaxMessageBytes(this.context.limits.options.maxMessageBytes);
    this.phase = 'ready';
  }

  private get startupValues(): Map<string, string> {
    const values = new Map<string, string>();
    for (const statement of this.state.committedSettings.values()) {
      const parsed = parseStartupSet(statement);
      if (parsed) values.set(parsed.name, parsed.value);
    }
    return values;
  }

  /** Processes queued client frames as far as a server connection allows. */
  private drain(): void {
    while (this.phase === 'ready' && this.queue.length > 0) {
      const frame = this.queue[0]!;
      if (frame.code === FrontendCode.Terminate) {
        this.queue.length = 0;
        this.queuedBytes = 0;
        this.close();
        return;
      }
      if (!this.server) {
        if (this.answerWithoutServer(frame)) {
          this.takeFrame();
          continue;
        }
        this.attachServer();
        if (!this.server) break; // waiting for a connection: drain() runs again once it comes
        continue;
      }
      // Pipelined: the follower sent its one statement and waits for its turn; the session it
      // follows sends nothing more until its cycle ends (the connection then passes on, and
      // drain() runs again).
      if (this.behind || this.server.followed) break;
      if (this.server.output.congested) {
        // The server reads slower than the client sends: stop reading the client for now.
        if (this.waitingForServer) return;
        this.waitingForServer = true;
        this.reading.set(ReadPause.ServerBusy, true);
        this.server.onDrain(() =>
          this.guarded(() => {
            this.waitingForServer = false;
            this.reading.set(ReadPause.ServerBusy, false);
            this.drain();
          }),
        );
        return;
      }
      this.handleClientFrame(this.takeFrame());
    }
    this.reading.set(ReadPause.Backlog, this.queue.length > 16);
  }

  private waitingForServer = false;

  /** The next queued frame, out of the queue (and out of the bytes the budget counts). */
  private takeFrame(): ClientFrame {
    const frame = this.queue.shift()!;
    this.queuedBytes -= frame.bytes.length;
    return frame;
  }

  /**
   * Between transactions, preparing a statement the pool already knows (Parse + Sync, as
   * libpq's PQprepare sends) needs no server connection: the statement is prepared lazily
   * where it runs. Answering here also keeps clients that prepare synchronously (pgbench -M
   * prepared, one thread for many connections) from waiting on connections held by their own
   * siblings' transactions.
   */
  private answerWithoutServer(frame: ClientFrame): boolean {
    if (this.status !== 'I' || this.responses.length > 0 || !this.backend) return false;
    switch (frame.code) {
      case FrontendCode.Parse: {
        const message = frame.message as Extract<FrontendMessage, { type: 'parse' }>;
        const key = statementKey(message.sql, message.parameterTypes);
        if (message.name === '' || this.statements.has(message.name) || !this.backend.knownStatements.has(key)) return false;
        this.statements.set(message.name, { key, sql: message.sql, parameterTypes: message.parameterTypes, info: classify(message.sql) });
        this.context.metrics.statementCacheHit();
        this.synthesize(encodeBackend({ type: 'parseComplete' }));
        return true;
      }
      case FrontendCode.Close: {
        const message = frame.message as Extract<FrontendMessage, { type: 'close' }>;
        if (message.target !== 'S' || message.name === '') return false;
        this.statements.delete(message.name);
        this.synthesize(encodeBackend({ type: 'closeComplete' }));
        return true;
      }
      case FrontendCode.Sync:
        this.skippingUntilSync = false;
        this.synthesize(encodeBackend({ type: 'readyForQuery', status: 'I' }));
        return true;
      case FrontendCode.Flush:
        return true;
      default:
        return this.skippingUntilSync;
    }
  }

  private attachServer(): void {
    if (this.acquiring || !this.backend) return;
    const hint = this.backend.routesReadOnly ? { readOnly: this.startsReadOnly(this.queue[0]) } : undefined;
    const ready = this.backend.tryAcquire(this, hint);
    if (ready) {
      this.attach(ready);
      return;
    }
    const busy = this.backend.tryPipeline && this.queue[0]!.code === FrontendCode.Query && this.cycleMayPipeline() ? this.backend.tryPipeline(this.queuedStatementIsPlain) : undefined;
    if (busy) {
      this.follow(busy);
      return;
    }
    this.acquiring = true;
    this.backend.acquire(this, hint).then(
      (connection) =>
        this.guarded(() => {
          this.acquiring = false;
          if (this.phase === 'closed') {
            this.backend?.release(connection);
            return;
          }
          this.attach(connection);
          this.drain();
        }),
      (error: Error) => {
        this.acquiring = false;
        if (error instanceof ServerLoginError) return this.failWith(error.fields);
        this.fail(sqlStateOf(error, SqlState.connectionFailure), error.message);
      },
    );
  }

  /** Does the cycle this frame starts hold only a read-only statement? (Routing hint.) */
  private startsReadOnly(frame: ClientFrame | undefined): boolean {
    if (!frame || this.status !== 'I') return false;
    switch (frame.code) {
      case FrontendCode.Query:
        return classify((frame.message as Extract<FrontendMessage, { type: 'query' }>).sql).readOnly;
      case FrontendCode.Parse:
        return classify((frame.message as Extract<FrontendMessage, { type: 'parse' }>).sql).readOnly;
      case FrontendCode.Bind: {
        const name = (frame.message as Extract<FrontendMessage, { type: 'bind' }>).statement;
        return (name === '' ? this.unnamed : this.statements.get(name)?.info)?.readOnly ?? false;
      }
      default:
        return false;
    }
  }

  /**
   * The session's half of whether its next cycle may be pipelined behind another session's
   * statement (or another's behind it): between transactions, nothing pinning it, nothing owed,
   * and a backend that runs nothing after a cycle. The cycle itself must be one simple Query
   * holding one plain statement (isPlainStatement), so its whole answer ends at one
   * ReadyForQuery and leaves no state behind.
   */
  private cycleMayPipeline(): boolean {
    // The reset and replay that prepare the connection may be ahead of the statement: they end
    // at their own ReadyForQuery and leave nothing behind that the statement needs.
    return this.status === 'I' && this.responses.length === this.preparing && !this.explicitTransaction && !this.skippingUntilSync && !this.state.pinned && !this.state.advisoryUnlockPending && !this.backend?.afterCycle;
  }

  /**
   * Sends the session's statement behind the one running on `connection` — with the reset
   * and the replay of its settings in front of it, in the same write; its turn comes at that
   * cycle's end.
   */
  private follow(connection: BackendConnection): void {
    this.server = connection;
    this.following = {
      handler: this.serverFrameHandler,
      onClosed: () => this.guarded(() => this.onServerClosed(connection)),
      onPromoted: () => this.guarded(() => this.promoted()),
    };
    connection.follow(this.following);
    this.prepareConnection(connection);
    this.handleClientFrame(this.takeFrame());
  }

  private promoted(): void {
    const server = this.server!;
    this.following = undefined;
    server.pipelinableSince = this.cancelPending ? 0 : performance.now(); // what was sent runs now
    this.sendPendingCancel();
    if (this.queue.length > 0) this.drain();
  }

  private attach(connection: BackendConnection): void {
    this.server = connection;
    connection.attach(this.serverFrameHandler);
    connection.onClosed(() => this.guarded(() => this.onServerClosed(connection)));
    this.prepareConnection(connection);
  }

  /**
   * Brings a connection to this session, in the write that carries the session's statement: a
   * connection another session used last is reset first (handoff-reset.ts), then this
   * session's settings are replayed where they differ from the connection's.
   */
  private prepareConnection(connection: BackendConnection): void {
    if (connection.lastOwner !== this) {
      const previous = connection.lastOwner;
      connection.lastOwner = this;
      if (previous !== undefined) this.prepareStep(connection, handOffReset(connection), 'could not reset a server connection before handing it to this session');
    }
    if (connection.settingsKey === this.state.settingsKey) return;
    const replay = settingsReplay(connection.settings, this.state.committedSettings);
    if (!replay) return;
    this.prepareStep(connection, encodeFrontend({ type: 'query', sql: replay }), "could not restore this session's settings on a server connection", () => {
      connection.settings = new Map(this.state.committedSettings);
      connection.settingsKey = this.state.settingsKey;
    });
  }

  /**
   * One query that prepares the connection ahead of the session's statement; its answer is
   * the session's own to swallow. Should it fail (a cancel from elsewhere hit it), the
   * connection is in no known state: it is closed, and the session with it — the statement
   * sent behind it may have run, so the client must not be told it did not.
   */
  private prepareStep(connection: BackendConnection, query: Buffer, failure: string, done?: () => void): void {
    this.preparing += 1;
    this.inject(query, 'ready', (failed) => {
      this.preparing -= 1;
      if (failed) {
        connection.broken = true;
        this.fail(SqlState.connectionFailure, `${failure}; the statement sent with it may have run — reconnect and check`);
        return;
      }
      done?.();
      this.sendPendingCancel();
    });
  }

  private handleClientFrame(frame: ClientFrame): void {
    const server = this.server!;
    // More work on the connection: nothing may be pipelined behind it (a single Query says again below).
    if (!this.behind && server.pipelinableSince !== 0) server.pipelinableSince = 0;
    if (this.skippingUntilSync) {
      if (frame.code !== FrontendCode.Sync) return;
      this.skippingUntilSync = false;
    }
    switch (frame.code) {
      case FrontendCode.Query: {
        const message = frame.message as Extract<FrontendMessage, { type: 'query' }>;
        const info = classify(message.sql);
        this.context.metrics.statement?.();
        if (!this.behind && isPlainStatement(info) && this.cycleMayPipeline()) server.pipelinableSince = performance.now();
        server.output.write(frame.bytes);
        this.responses.push({ kind: 'forward', ends: 'ready', statementEffects: [...info.statements] });
        return;
      }
      case FrontendCode.Parse:
        return this.handleParse(frame.message as Extract<FrontendMessage, { type: 'parse' }>, frame);
      case FrontendCode.Bind:
        return this.handleBind(frame.message as Extract<FrontendMessage, { type: 'bind' }>, frame);
      case FrontendCode.Describe: {
        const message = frame.message as Extract<FrontendMessage, { type: 'describe' }>;
        if (message.target === 'S' && message.name !== '') {
          const name = this.serverStatement(message.name);
          if (name === undefined) return;
          server.output.write(encodeFrontend({ type: 'describe', target: 'S', name }));
          this.responses.push({ kind: 'forward', ends: 'describe' });
          return;
        }
        this.send(frame.bytes, 'describe', 'forward');
        return;
      }
      case FrontendCode.Close: {
        const message = frame.message as Extract<FrontendMessage, { type: 'close' }>;
        if (message.target === 'S' && message.name !== '') {
          // The statement stays prepared on the connection for whoever needs it next.
          this.statements.delete(message.name);
          this.synthesize(encodeBackend({ type: 'closeComplete' }));
          return;
        }
        if (message.target === 'P') this.portals.delete(message.name);
        this.send(frame.bytes, 'close', 'forward');
        return;
      }
      case FrontendCode.Execute: {
        const message = frame.message as Extract<FrontendMessage, { type: 'execute' }>;
        const info = this.portals.get(message.portal);
        this.context.metrics.statement?.();
        this.send(frame.bytes, 'execute', 'forward', (failed) => {
          if (!failed && info) this.applyEffects(info.statements[0] ?? NO_STATEMENT_EFFECTS);
        });
        return;
      }
      case FrontendCode.Sync:
        this.send(frame.bytes, 'ready', 'forward');
        return;
      case FrontendCode.FunctionCall:
        this.send(frame.bytes, 'ready', 'forward');
        return;
      case FrontendCode.Flush:
      case FrontendCode.CopyData:
      case FrontendCode.CopyDone:
      case FrontendCode.CopyFail:
        server.output.write(frame.bytes);
        return;
      default:
        this.fail(SqlState.protocolViolation, `unexpected frontend message '${String.fromCharCode(frame.code)}'`);
    }
  }

  private handleParse(message: Extract<FrontendMessage, { type: 'parse' }>, frame: ClientFrame): void {
    const info = classify(message.sql);
    if (message.name === '') {
      this.unnamed = info;
      this.send(frame.bytes, 'parse', 'forward');
      return;
    }
    if (this.statements.has(message.name)) {
      this.failCycle({ S: 'ERROR', V: 'ERROR', C: '42P05', M: `prepared statement "${message.name}" already exists` });
      return;
    }
    const key = statementKey(message.sql, message.parameterTypes);
    this.statements.set(message.name, { key, sql: message.sql, parameterTypes: message.parameterTypes, info });
    const server = this.server!;
    const cached = server.statements.get(key);
    if (cached) {
      this.context.metrics.statementCacheHit();
      this.synthesize(encodeBackend({ type: 'parseComplete' }));
      return;
    }
    this.context.metrics.statementCacheMiss();
    this.prepareOnServer(key, message.sql, message.parameterTypes, 'forward');
  }

  private handleBind(message: Extract<FrontendMessage, { type: 'bind' }>, frame: ClientFrame): void {
    if (message.statement === '') {
      this.portals.set(message.portal, this.unnamed ?? classify(''));
      this.send(frame.bytes, 'bind', 'forward');
      return;
    }
    const name = this.serverStatement(message.statement);
    if (name === undefined) return;
    this.portals.set(message.portal, this.statements.get(message.statement)!.info);
    this.server!.output.write(encodeFrontend({ ...message, statement: name }));
    this.responses.push({ kind: 'forward', ends: 'bind' });
  }

  /**
   * The connection's name for the client's statement, preparing it there first if needed;
   * undefined (after failing the cycle) when the client never prepared it.
   */
  private serverStatement(clientName: string): string | undefined {
    const statement = this.statements.get(clientName);
    if (!statement) {
      this.failCycle({ S: 'ERROR', V: 'ERROR', C: '26000', M: `prepared statement "${clientName}" does not exist` });
      return undefined;
    }
    const cached = this.server!.statements.get(statement.key);
    if (cached) return cached.name;
    return this.prepareOnServer(statement.key, statement.sql, statement.parameterTypes, 'swallow');
  }

  /** Sends Parse under the connection's own name; evicts least-recently-used statements first. */
  private prepareOnServer(key: string, sql: string, parameterTypes: readonly number[], kind: 'forward' | 'swallow'): string {
    const server = this.server!;
    const { statement, evicted } = server.statements.add(key);
    for (const name of evicted) this.inject(encodeFrontend({ type: 'close', target: 'S', name }), 'close');
    server.output.write(encodeFrontend({ type: 'parse', name: statement.name, sql, parameterTypes }));
    this.responses.push({
      kind,
      ends: 'parse',
      onDone: (failed) => {
        if (failed) {
          server.statements.forget(key, statement.name);
          return;
        }
        statement.ready = true;
        const known = this.backend!.knownStatements;
        if (known.size > 10_000) known.clear();
        known.add(key);
      },
    });
    return statement.name;
  }

  // ------------------------------------------------------------------ server side

  private onServerFrame(code: number, buffer: Buffer, frameStart: number, bodyStart: number, end: number, stable: boolean): void {
    this.emitSynthetic();
    const slot = this.responses.head;
    if (!slot || slot.kind === 'synthetic') {
      // Between requests only asynchronous messages arrive: notifications, notices, settings.
      this.forward(buffer, frameStart, end, stable);
      if (code === BackendCode.ErrorResponse) this.close();
      return;
    }
    if (code === BackendCode.NoticeResponse || code === BackendCode.ParameterStatus || code === BackendCode.NotificationResponse) {
      if (slot.kind === 'forward') this.forward(buffer, frameStart, end, stable);
      return;
    }
    // Errors always reach the client, even for the pooler's own Parse: its request depended on it.
    if (slot.kind === 'forward' || (code === BackendCode.ErrorResponse && slot.ends !== 'ready')) this.forward(buffer, frameStart, end, stable);
    if (code === BackendCode.CommandComplete) {
      this.lastTag = commandTag(buffer, bodyStart, end);
      if (slot.statementEffects) this.applyEffects(slot.statementEffects.shift() ?? NO_STATEMENT_EFFECTS);
    }
    if (code === BackendCode.ErrorResponse) {
      this.cycleFailed = true;
      if (this.context.metrics.error) this.context.metrics.error((decodeBackend(code, buffer, bodyStart, end) as { fields: Record<string, string> }).fields.C ?? 'XX000');
      if (slot.ends === 'ready') return; // a simple query goes on to ReadyForQuery
      this.responses.shift();
      slot.onDone?.(true);
      this.responses.dropUntilReady();
      return;
    }
    slot.onMessage?.(code, buffer, bodyStart, end);
    if (!completes(slot.ends, code)) return;
    this.responses.shift();
    if (code === BackendCode.ReadyForQuery) {
      // The status byte alone (I, T or E): no decoded message on the hottest path.
      const status = String.fromCharCode(buffer[bodyStart]!) as 'I' | 'T' | 'E';
      slot.onDone?.(this.cycleFailed && slot.kind === 'swallow');
      // Answers the pooler gives itself may be queued right behind this ReadyForQuery.
      this.emitSynthetic();
      this.onReadyForQuery(status, slot.kind === 'forward');
      return;
    }
    slot.onDone?.(false);
    this.emitSynthetic();
  }

  /**
   * Passes a server frame on to the client; a frame in the framer's own buffer is copied first.
   * A client that reads slower than the server answers stops the server connection's reads
   * until it catches up (back-pressure, not memory), for at most the slow-client timeout.
   */
  private forward(buffer: Buffer, frameStart: number, end: number, stable: boolean): void {
    this.output.write(stable ? buffer.subarray(frameStart, end) : Buffer.from(buffer.subarray(frameStart, end)));
    if (this.unreadSince === 0 && this.output.congested) this.waitForClientToRead();
  }

  private waitForClientToRead(): void {
    const server = this.server;
    if (!server) return;
    this.unreadSince = Date.now();
    server.pause();
    this.output.onDrain(() => {
      this.unreadSince = 0;
      server.resume();
    });
  }

  private applyEffects(effects: readonly SessionEffect[]): void {
    for (const effect of effects) {
      if (effect.kind === 'begin') this.explicitTransaction = true;
      this.state.apply(effect);
    }
  }

  /** `clientCycle`: the ReadyForQuery ends the client's own request, not one the session injected. */
  private onReadyForQuery(status: 'I' | 'T' | 'E', clientCycle: boolean): void {
    const server = this.server;
    if (!server) return; // the slot's own completion closed the session (a replay that failed)
    // The end of a reset or replay leaves the statement behind it running: still pipelinable.
    if (this.responses.length === 0) server.pipelinableSince = 0;
    if (status !== 'I') this.explicitTransaction = true;
    if (status === 'I') {
      const committed = this.explicitTransaction ? this.lastTag === 'COMMIT' : !this.cycleFailed;
      this.state.endTransaction(committed);
      this.explicitTransaction = false;
      // Most transactions change no setting: keep the connection's copy when the key says so.
      if (server.settingsKey !== this.state.settingsKey) {
        server.settings = new Map(this.state.committedSettings);
        server.settingsKey = this.state.settingsKey;
      }
      if (this.state.serverStatementsDropped) {
        server.statements.clear();
        this.state.serverStatementsDropped = false;
      }
    }
    this.status = status;
    this.cycleFailed = false;
    // Inside a transaction with nothing sent and nothing owed, the session waits on its client.
    if (status !== 'I' && clientCycle && this.responses.length === 0 && this.queue.length === 0) this.idleInTransactionSince = Date.now();
    if (status === 'I' && clientCycle && this.state.advisoryUnlockPending) this.checkAdvisoryLocks();
    const probe = status === 'I' && clientCycle ? this.backend?.afterCycle?.(server) : undefined;
    if (probe) this.observeAfterCycle(server, probe);
    this.maybeRelease();
  }

  /** Runs the backend's after-cycle statement and hands it the first value of the result. */
  private observeAfterCycle(server: BackendConnection, sql: string): void {
    let value: string | null = null;
    this.inject(
      encodeFrontend({ type: 'query', sql }),
      'ready',
      // The connection is released, if it may be, once this ReadyForQuery has been handled.
      () => this.backend?.observe?.(server, value),
      (code, buffer, bodyStart, end) => {
        if (code === BackendCode.DataRow) {
          const row = decodeBackend(code, buffer, bodyStart, end) as { readonly values: readonly (Buffer | null)[] };
          value = row.values[0]?.toString() ?? null;
        }
      },
    );
  }

  /** After pg_advisory_unlock*: are any session-level advisory locks left? */
  private checkAdvisoryLocks(): void {
    this.state.advisoryUnlockPending = false;
    let held = true;
    this.inject(
      encodeFrontend({ type: 'query', sql: "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()" }),
      'ready',
      (failed) => {
        if (!failed && !held) this.state.advisoryLocksReleased();
      },
      (code, buffer, bodyStart, end) => {
        if (code === BackendCode.DataRow) {
          const row = decodeBackend(code, buffer, bodyStart, end) as { readonly values: readonly (Buffer | null)[] };
          held = row.values[0]?.toString() !== '0';
        }
      },
    );
  }

  /** Gives the connection back when the session is between transactions and nothing pins it. */
  private maybeRelease(): void {
    const server = this.server;
    if (!server || this.status !== 'I' || this.responses.length > 0 || this.state.pinned) return;
    this.server = undefined;
    server.attach(() => undefined);
    if (this.portals.size > 0) this.portals.clear(); // clear() reallocates even an empty table
    this.unnamed = undefined;
    this.backend!.release(server);
    if (this.queue.length > 0) this.drain(); // frames held back while a follower waited on the connection
  }

  private onServerClosed(connection: BackendConnection): void {
    if (this.server !== connection || this.phase === 'closed') return;
    this.server = undefined;
    this.backend?.release(connection);
    this.fail(SqlState.adminShutdown, this.backend?.lossMessage ?? 'the server connection was lost; reconnect to continue');
  }

  // ------------------------------------------------------------------ helpers

  /** Forwards a client frame to the server and expects its response. */
  private send(bytes: Buffer, ends: 'parse' | 'bind' | 'close' | 'describe' | 'execute' | 'ready', kind: 'forward' | 'swallow', onDone?: (failed: boolean) => void): void {
    this.server!.output.write(bytes);
    this.responses.push({ kind, ends, ...(onDone ? { onDone } : {}) });
  }

  /** Sends a message of the pooler's own whose response the client must not see. */
  private inject(
    bytes: Buffer,
    ends: 'parse' | 'bind' | 'close' | 'describe' | 'execute' | 'ready',
    onDone?: (failed: boolean) => void,
    onMessage?: (code: number, buffer: Buffer, bodyStart: number, end: number) => void,
  ): void {
    this.server!.output.write(bytes);
    this.responses.push({ kind: 'swallow', ends, ...(onDone ? { onDone } : {}), ...(onMessage ? { onMessage } : {}) });
  }

  /** Answers in the server's place, in order with the server's answers. */
  private synthesize(bytes: Buffer): void {
    this.responses.push({ kind: 'synthetic', bytes });
    this.emitSynthetic();
  }

  private emitSynthetic(): void {
    let head = this.responses.head;
    while (head?.kind === 'synthetic') {
      this.responses.shift();
      this.output.write(head.bytes);
      head = this.responses.head;
    }
  }

  /**
   * An error the pooler detects itself inside an extended-protocol cycle: the client gets it
   * in order, and, as Postgres would, everything up to the next Sync is ignored.
   */
  private failCycle(fields: Record<string, string>): void {
    this.synthesize(encodeBackend({ type: 'errorResponse', fields }));
    this.cycleFailed = true;
    this.skippingUntilSync = true;
  }

  private failWith(fields: Readonly<Record<string, string>>): void {
    this.output.write(encodeBackend({ type: 'errorResponse', fields }));
    this.close();
  }

  private fail(code: string, message: string): void {
    if (this.phase === 'closed') return;
    this.context.metrics.error?.(code);
    this.output.write(serializeErrorResponse({ code, message }));
    this.close();
  }

  close(): void {
    if (this.phase === 'closed') return;
    const wasReady = this.phase === 'ready';
    this.phase = 'closed';
    if (wasReady) this.context.unregister(this);
    this.context.limits.ended(this);
    this.reading.forget();
    const server = this.server;
    this.server = undefined;
    // A connection paused for this client's sake must go on reading: its answers are waited out below.
    if (server && this.unreadSince !== 0) server.resume();
    if (server && this.backend) {
      const backend = this.backend;
      if (this.behind) {
        // Pipelined: our statement's answer still comes, after the one ahead; wait it out.
        const place = this.following!;
        place.handler = afterReadies(this.responses.readyCount(), () => backend.release(server));
        place.onClosed = () => undefined;
        place.onPromoted = () => undefined;
      } else if (server.followed && this.responses.readyCount() > 0) {
        // Another session's statement waits behind ours (one simple Query): let ours finish, then pass on.
        server.attach(afterReadies(this.responses.readyCount(), () => backend.release(server)));
      } else {
        // A connection mid-request or holding session state cannot serve anyone else.
        if (this.responses.length > 0 || this.status !== 'I' || this.state.pinned) server.broken = true;
        server.attach(() => undefined);
        backend.release(server);
      }
    }
    this.backend?.sessionClosed?.();
    this.responses.clear();
    this.output.end();
    this.socket.destroySoon();
  }
}

/** How many of `sessions` hold their connection between transactions, by reason. */
export function countPins(sessions: Iterable<{ readonly session: ClientSession }>): Map<PinReason, number> {
  const counts = new Map<PinReason, number>();
  for (const { session } of sessions) for (const reason of session.pins()) counts.set(reason, (counts.get(reason) ?? 0) + 1);
  return counts;
}

function statementKey(sql: string, parameterTypes: readonly number[]): string {
  return `${sql}\u0000${parameterTypes.join(',')}`;
}

/** The first word of a CommandComplete tag ("INSERT 0 1" -> "INSERT"). */
function commandTag(buffer: Buffer, bodyStart: number, end: number): string {
  const space = buffer.indexOf(0x20, bodyStart);
  return buffer.toString('latin1', bodyStart, space === -1 || space >= end ? end - 1 : space);
}

/**
 * A frame handler that waits out `count` cycles (ReadyForQuery each: the reset, the replay and
 * the statement a session had sent), then calls `done`.
 */
function afterReadies(count: number, done: () => void): FrameHandler {
  let left = count;
  return (code) => {
    if (code === BackendCode.ReadyForQuery && --left === 0) done();
  };
}

/** Startup parameters as the SET statements that would make them. */
function startupSettings(parameters: Readonly<Record<string, string>>): Map<string, string> {
  const settings = new Map<string, string>();
  for (const [name, value] of Object.entries(parameters)) {
    if (NOT_SETTINGS.has(name)) continue;
    settings.set(name.toLowerCase(), `SET ${quoteName(name)} TO ${quoteLiteral(value)}`);
  }
  for (const [name, value] of optionsSettings(parameters.options)) settings.set(name.toLowerCase(), `SET ${quoteName(name)} TO ${quoteLiteral(value)}`);
  return settings;
}

/** `-c name=value` pairs from the `options` startup parameter (backslash escapes spaces). */
function optionsSettings(options: string | undefined): [string, string][] {
  if (!options) return [];
  const words: string[] = [];
  let word = '';
  for (let i = 0; i < options.length; i++) {
    const char = options[i]!;
    if (char === '\\' && i + 1 < options.length) word += options[++i];
    else if (char === ' ') {
      if (word) words.push(word);
      word = '';
    } else word += char;
  }
  if (word) words.push(word);
  const pairs: [string, string][] = [];
  for (let i = 0; i < words.length; i++) {
    let setting: string | undefined;
    if (words[i] === '-c') setting = words[++i];
    else if (words[i]!.startsWith('-c')) setting = words[i]!.slice(2);
    else if (words[i]!.startsWith('--')) setting = words[i]!.slice(2);
    const eq = setting?.indexOf('=') ?? -1;
    if (setting && eq > 0) pairs.push([setting.slice(0, eq).replaceAll('-', '_'), setting.slice(eq + 1)]);
  }
  return pairs;
}

function parseStartupSet(statement: string): { name: string; value: string } | undefined {
  const prefix = 'SET "';
  if (!statement.startsWith(prefix)) return undefined;
  const nameEnd = statement.indexOf('" TO \'');
  if (nameEnd === -1) return undefined;
  const name = statement.slice(prefix.length, nameEnd).replaceAll('""', '"');
  const value = statement.slice(nameEnd + 6, -1).replaceAll("''", "'");
  return { name, value };
}

function quoteName(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

function quoteLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

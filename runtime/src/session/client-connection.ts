/**
 * The client's end of a session, up to and around its statements: the socket and its framing,
 * the startup phase (TLS, a gateway's multiplexed link, authentication, the login check), the
 * limits' view of the connection, and the error boundary that ends one connection — never the
 * process — whatever its bytes set off. What the session does with its statements once logged
 * in is its subclasses' part (ServerExchange, ClientSession).
 */
import { type NetworkChannel, type ServerTls, isNetworkSocket, startServerTls } from '../link/socket-reads';
import { LINK_TOKEN_PARAMETER, MUX_REQUEST_CODE } from '../link/mux-protocol';
import { SqlState } from '../protocol/constants';
import { decodeFrontend, decodeStartupFrame } from '../protocol/decode-frontend';
import { encodeBackend } from '../protocol/encode-backend';
import { serializeErrorResponse } from '../protocol/error-response';
import { MAX_STARTUP_MESSAGE_BYTES, MessageFramer } from '../protocol/framer';
import type { FrontendMessage } from '../protocol/messages';
import { ProtocolError, sqlStateError, sqlStateOf } from '../protocol/protocol-error';
import { tlsServerEndPoint } from '../protocol/scram-server';
import type { Backend, BackendConnection } from './backend';
import { type ClientFrame, readClientFrame } from './client-frame';
import type { LimitedSession } from './client-limits';
import { ClientReading } from './client-reading';
import { ServerLoginError } from './server-connection';
import { type LoginOutcome, type RegisteredSession, type SessionContext, loginOutcomeOf } from './session-context';
import { type PinReason, SessionState } from './session-state';
import { SocketOutput } from './socket-output';
import { wholeOrPart } from '../util/bytes';
import { startupSettings, startupValues } from './startup-settings';
import { isCarried, lacksCarried, serverParameters } from './carried-startup';

export abstract class ClientConnection implements LimitedSession, RegisteredSession {
  readonly openedAt = Date.now();
  /** Since when the session has been idle inside a transaction (Date.now()), or 0. */
  idleInTransactionSince = 0;
  /** Since when the client has left results unread (its socket congested), or 0. */
  protected unreadSince = 0;
  /** See LimitedSession. */
  get startedLogin(): boolean {
    return this.phase !== 'startup';
  }

  protected output: SocketOutput;
  protected phase: 'startup' | 'authenticating' | 'ready' | 'closed' = 'startup';
  private loginCounted = false;
  protected user = '';
  /** What the session's statements run on, from the login on. */
  protected backend: Backend | undefined;
  protected state = new SessionState();
  /** Client frames received and not yet handled (see ClientSession.drain). */
  protected readonly queue: ClientFrame[] = [];
  /** Bytes of the frames in `queue`, for the memory budget. */
  protected queuedBytes = 0;
  protected readonly reading: ClientReading;

  private socket: NetworkChannel;
  private framer: MessageFramer;
  private channelBinding: Buffer | undefined;
  private database = '';
  /** Logged in with the link token: a gateway's session, which the caps do not count. */
  private trustedLink = false;
  private key = { processId: 0, secretKey: 0 };
  private auth: ((message: FrontendMessage) => void) | undefined;

  constructor(
    socket: NetworkChannel,
    protected readonly context: SessionContext,
  ) {
    this.socket = socket;
    this.framer = this.startupFramer();
    this.output = new SocketOutput(socket, 'client');
    this.reading = new ClientReading(socket, context.limits.budget, () => this.framer.retained + this.queuedBytes);
    socket.setNoDelay(true);
    this.listen(socket);
    const refused = context.limits.opened(this);
    // Refused at once, but not from inside this constructor: the subclasses' fields (the
    // response queue that closing clears) exist only once it returns.
    if (refused) queueMicrotask(() => this.fail(SqlState.tooManyConnections, refused));
  }

  /** Handles the queued client frames as far as the session can (called after each arrival). */
  protected abstract drain(): void;
  /** The connection is closing: give back (or wait out) whatever server connection it holds. */
  protected abstract releaseOnClose(): void;
  abstract cancel(): void;

  get processId(): number {
    return this.key.processId;
  }

  pins(): PinReason[] {
    return this.state.pins();
  }

  protected get ended(): boolean {
    return this.phase === 'closed';
  }

  /** See LimitedSession (the session layers below know what is owed). */
  abstract get awaitingServer(): boolean;
  abstract serverMessages: number;
  abstract describeWait(): Record<string, unknown>;

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

  /** A framer for the start of a connection; its buffer grows ahead only while the memory budget has room. */
  private startupFramer(): MessageFramer {
    const { budget } = this.context.limits;
    return new MessageFramer({ startupPhase: true, maxMessageBytes: MAX_STARTUP_MESSAGE_BYTES, mayGrow: (extra) => budget.hasRoom(extra) });
  }

  private readonly onData = (chunk: Buffer) => this.onClientData(chunk);
  private readonly onGone = () => this.close();

  private listen(socket: NetworkChannel): void {
    if (socket.readTo) socket.readTo(this.onData);
    else socket.on('data', this.onData);
    socket.on('error', this.onGone);
    socket.on('close', this.onGone);
  }

  /** Stops listening to `socket`; whoever else listens to it (the gateway's gauge of open connections) still does. */
  private unlisten(socket: NetworkChannel): void {
    if (socket.readTo) socket.readTo(undefined);
    else socket.removeListener('data', this.onData);
    socket.removeListener('error', this.onGone);
    socket.removeListener('close', this.onGone);
  }

  // ------------------------------------------------------------------ the error boundary

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
        const bytes = stable ? wholeOrPart(buffer, frameStart, end) : Buffer.from(buffer.subarray(frameStart, end));
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
  protected guarded(work: () => void): void {
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
  protected crash(error: unknown): void {
    if (error instanceof ProtocolError) {
      this.context.log.info({ user: this.user, err: error.message }, 'client sent a malformed message; closing its connection');
      this.fail(SqlState.protocolViolation, error.message);
      return;
    }
    this.context.log.error({ user: this.user, err: error }, 'internal error in a session; closing its connection');
    this.fail(SqlState.internalError, 'internal error in the connection proxy; the session was closed (the server log has the details)');
  }

  // ------------------------------------------------------------------ startup and login

  private onStartupFrame(buffer: Buffer, bodyStart: number, end: number): void {
    const message = decodeStartupFrame(buffer, bodyStart, end);
    switch (message.type) {
      case 'sslRequest':
        if (this.context.tls && !this.channelBinding && isNetworkSocket(this.socket)) {
          // 'S' leaves in the clear before the socket turns to TLS.
          this.output.write(Buffer.from('S'));
          this.output.flushPending();
          this.startTls(this.context.tls);
          return;
        }
        this.output.write(Buffer.from('N'));
        return;
      case 'gssEncRequest':
        this.output.write(Buffer.from('N'));
        return;
      case 'cancelRequest':
        this.context.cancel(message.processId, message.secretKey, this.socket.remoteAddress);
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
        if (this.context.tlsRequiredBy && !this.channelBinding) {
          this.fail('28000', `this server accepts only TLS connections (${this.context.tlsRequiredBy}): connect with sslmode=require or verify-full (user "${this.user}", database "${this.database}")`);
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
    if (!this.context.acceptLink || !isNetworkSocket(socket)) throw new ProtocolError('this server does not accept multiplexed links');
    if (this.context.tlsRequiredBy && !this.channelBinding) {
      this.fail('28000', `this pooler accepts links only over TLS (${this.context.tlsRequiredBy}): the gateway must ask for TLS first`);
      return;
    }
    if (!this.context.linkToken || linkToken !== this.context.linkToken) {
      this.fail(SqlState.invalidPassword, 'invalid link token');
      return;
    }
    this.phase = 'closed';
    this.unlisten(socket);
    this.context.acceptLink(socket);
  }

  /**
   * After 'S', the rest of the connection is TLS: the raw socket is handed to the runtime's TLS and
   * the startup phase begins again inside it. The certificate's hash is the SCRAM-PLUS channel
   * binding.
   */
  private startTls(tls: ServerTls): void {
    const raw = this.socket;
    this.unlisten(raw);
    const secure = startServerTls(raw, tls);
    if (!secure) throw new ProtocolError('TLS cannot start on this connection');
    this.socket = secure;
    this.output = new SocketOutput(secure, 'client');
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
    const startup = startupValues(this.state.committedSettings.values());
    this.backend = this.context.backend(this.user, this.database, startup);
    let parameters = new Map(this.backend.loginParameters?.() ?? []);
    // Remembered parameters leave out what a connection carried (carried-startup.ts): a
    // session that does not send it learns the server's value from a connection it may use.
    if (parameters.size === 0 || lacksCarried(parameters, startup)) {
      let connection: BackendConnection;
      try {
        connection = await this.backend.acquire(this);
      } catch (error) {
        if (error instanceof ServerLoginError) return this.failWith(error.fields);
        return this.fail(sqlStateOf(error, SqlState.connectionFailure), (error as Error).message);
      }
      parameters = new Map(connection.parameters);
      this.backend.rememberLoginParameters?.(serverParameters(parameters, connection.startup));
      this.backend.release(connection);
    }
    if (this.phase === 'closed') return;
    // The client sees its own startup settings, as Postgres would report them.
    for (const [name, value] of startup) if (parameters.has(name) || isCarried(name)) parameters.set(name, value);
    this.key = this.context.register(this);
    this.output.write(encodeBackend({ type: 'authenticationOk' }));
    for (const [name, value] of parameters) this.output.write(encodeBackend({ type: 'parameterStatus', name, value }));
    this.output.write(encodeBackend({ type: 'backendKeyData', ...this.key }));
    this.output.write(encodeBackend({ type: 'readyForQuery', status: 'I' }));
    this.framer.setMaxMessageBytes(this.context.limits.options.maxMessageBytes);
    this.phase = 'ready';
    this.countLogin('accepted');
  }

  /** Counts the connection's login once, for the metrics: accepted, or why not. */
  private countLogin(outcome: LoginOutcome): void {
    if (this.loginCounted) return;
    this.loginCounted = true;
    this.context.metrics.login?.(outcome, this.channelBinding !== undefined);
  }

  // ------------------------------------------------------------------ the end

  /** Ends the session with the server's own error fields (a login the server refused). */
  protected failWith(fields: Readonly<Record<string, string>>): void {
    if (this.phase !== 'ready') this.countLogin(loginOutcomeOf(fields.C));
    this.output.write(encodeBackend({ type: 'errorResponse', fields }));
    this.close();
  }

  /** Ends the session with an error of the pooler's own. */
  protected fail(code: string, message: string): void {
    if (this.phase === 'closed') return;
    if (this.phase !== 'ready') this.countLogin(loginOutcomeOf(code));
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
    this.releaseOnClose();
    this.output.end();
    this.socket.destroySoon();
  }
}

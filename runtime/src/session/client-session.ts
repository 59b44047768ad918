/**
 * One client session of the pooler or gateway: once logged in (ClientConnection), it borrows a
 * server connection for each transaction (or each statement outside one) and gives it back at
 * ReadyForQuery 'I' unless something pins the session (SessionState). A connection another
 * session used last is reset before this one's statement, and the session's settings follow it
 * from connection to connection; a lone plain statement may be pipelined behind another
 * session's. What goes ahead of the statement on a connection just handed over (the reset, the
 * replay, a BEGIN answered early) is ConnectionPreparation; what goes over the connection, and
 * how answers come back, is ServerExchange.
 * Bytes the pooler does not need to read are forwarded as they came.
 */
import { FrontendCode } from '../protocol/codes';
import { SqlState } from '../protocol/constants';
import type { FrontendMessage } from '../protocol/messages';
import { sqlStateOf } from '../protocol/protocol-error';
import { classify, isPlainStatement } from '../sql/classify';
import type { BackendConnection } from './backend';
import type { ClientFrame } from './client-frame';
import { ReadPause } from './client-reading';
import { FreshBackendRetry } from './fresh-backend';
import { type Slot, afterReadies } from './response-queue';
import { type Follower, ServerLoginError } from './server-connection';
import { ConnectionPreparation } from './connection-preparation';

/**
 * The slot of a Query holding one plain statement (most of the traffic): it has no session
 * effects to apply and nothing to retry, so one object serves every such Query (a slot is
 * never changed, and the queue keeps slots by place, not by identity).
 */
const PLAIN_QUERY_SLOT: Slot = Object.freeze({ kind: 'forward', ends: 'ready' });

export class ClientSession extends ConnectionPreparation {
  private acquiring = false;
  /** Reading from the client is paused until the server connection's output drains. */
  private waitingForServer = false;
  /**
   * The session's place in the queue of `server` while its statement waits behind another
   * session's (see Backend.tryPipeline): the frames are not ours until that cycle ends, and
   * nothing more is sent meanwhile.
   */
  private following: Follower | undefined;
  /** Asked by the pool only once it has a connection to pipeline behind (classifying costs a decode). */
  private readonly queuedStatementIsPlain = () => isPlainStatement(classify((this.queue[0]!.message as Extract<FrontendMessage, { type: 'query' }>).sql));

  protected get behind(): boolean {
    return this.following !== undefined;
  }

  get awaitingServer(): boolean {
    return this.responses.length > 0 || this.acquiring || this.behind;
  }

  describeWait(): Record<string, unknown> {
    const server = this.server;
    return { status: this.status, acquiring: this.acquiring, behind: this.behind, preparing: this.preparing, server: server?.id, followed: server?.followed, queuedFrames: this.queue.length, owed: this.responses.describe() };
  }

  // ------------------------------------------------------------------ borrowing a connection

  /** Processes queued client frames as far as a server connection allows. */
  protected drain(): void {
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
      // Pipelined: the follower sent its one statement and waits for its turn; the session it follows
      // sends nothing more until its cycle ends (the connection then passes on, and drain() runs again).
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

  /** The next queued frame, out of the queue (and out of the bytes the budget counts). */
  private takeFrame(): ClientFrame {
    const frame = this.queue.shift()!;
    this.queuedBytes -= frame.bytes.length;
    return frame;
  }

  private attachServer(): void {
    if (this.acquiring || !this.backend) return;
    const hint = this.fresh.needed ? { fresh: true } : this.backend.routesReadOnly ? { readOnly: this.startsReadOnly(this.queue[0]) } : undefined;
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
    if (this.fresh.needed) {
      this.fresh.needed = false;
      this.state.pinForPlaceholder();
    }
    connection.attach(this.serverFrameHandler);
    connection.onClosed(() => this.guarded(() => this.onServerClosed(connection)));
    this.prepareConnection(connection);
    const begin = this.takeDeferredBegin(); // answered already: it goes ahead of the statement
    if (begin) this.prepareStep(connection, begin, 'could not begin the transaction on a server connection');
  }

  // ------------------------------------------------------------------ the client's frames

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
        if (this.unnamed) this.forgetUnnamed(); // Postgres drops it at every simple Query
        this.context.metrics.statement?.();
        const now = performance.now();
        if (this.cycleStartedAt === 0) this.cycleStartedAt = now;
        server.output.write(frame.bytes);
        if (isPlainStatement(info)) {
          if (!this.behind && this.cycleMayPipeline()) server.pipelinableSince = now;
          this.responses.push(PLAIN_QUERY_SLOT);
          return;
        }
        const retryable =
          FreshBackendRetry.isDottedSet(info.statements) && this.fresh.mayRetry(server, { idle: this.status === 'I' && !this.explicitTransaction, pinned: this.state.pinned }) ? frame : undefined;
        this.responses.push({ kind: 'forward', ends: 'ready', statementEffects: [...info.statements], retryable });
        return;
      }
      case FrontendCode.Parse:
        return this.handleParse(frame.message as Extract<FrontendMessage, { type: 'parse' }>, frame);
      case FrontendCode.Bind:
        return this.handleBind(frame.message as Extract<FrontendMessage, { type: 'bind' }>, frame);
      case FrontendCode.Describe:
        return this.handleDescribe(frame.message as Extract<FrontendMessage, { type: 'describe' }>, frame);
      case FrontendCode.Close:
        return this.handleClose(frame.message as Extract<FrontendMessage, { type: 'close' }>, frame);
      case FrontendCode.Execute: {
        const message = frame.message as Extract<FrontendMessage, { type: 'execute' }>;
        const info = this.portals.get(message.portal);
        this.context.metrics.statement?.();
        if (this.cycleStartedAt === 0) this.cycleStartedAt = performance.now();
        this.send(frame.bytes, 'execute', 'forward', (failed) => {
          if (!failed && info) this.applyEffects(info.statements[0]);
        });
        return;
      }
      case FrontendCode.Sync:
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

  // ------------------------------------------------------------------ a backend of its own

  /** A refused SET goes again, to a backend no session has used (fresh-backend.ts); its first answer is swallowed. */
  protected retriesElsewhere(query: ClientFrame, buffer: Buffer, bodyStart: number, end: number): boolean {
    if (!FreshBackendRetry.refusesName(buffer, bodyStart, end)) return false;
    this.responses.replaceHead({
      kind: 'swallow',
      ends: 'ready',
      onDone: () => {
        this.queue.unshift(query);
        this.queuedBytes += query.bytes.length;
        this.fresh.needed = true;
      },
    });
    return true;
  }

  // ------------------------------------------------------------------ giving it back

  protected maybeRelease(): void {
    const server = this.server;
    if (!server || this.status !== 'I' || this.responses.length > 0 || this.state.pinned) return;
    this.server = undefined;
    server.attach(() => undefined);
    if (this.portals.size > 0) this.portals.clear(); // clear() reallocates even an empty table
    this.backend!.release(server);
    if (this.queue.length > 0) this.drain(); // frames held back while a follower waited on the connection
  }

  private onServerClosed(connection: BackendConnection): void {
    if (this.server !== connection || this.phase === 'closed') return;
    this.server = undefined;
    this.backend?.release(connection);
    this.fail(SqlState.adminShutdown, this.backend?.lossMessage ?? 'the server connection was lost; reconnect to continue');
  }

  protected releaseOnClose(): void {
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
    this.backend?.sessionClosed?.(this);
    this.responses.clear();
  }
}

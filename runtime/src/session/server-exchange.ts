/**
 * What a session sends on the server connection it holds and what comes back. Every request
 * gets a slot in the ResponseQueue: the client's own are forwarded, the pooler's (a Parse under
 * the connection's name, a reset, a probe) swallowed, and answers the pooler gives itself
 * (a ParseComplete for a statement the connection has) are queued in order with the server's.
 * Each ReadyForQuery closes the transaction bookkeeping. Prepared statements are the next
 * layer's (StatementExchange); when the connection may go back to the pool is the last's
 * (ClientSession.maybeRelease).
 */
import { BackendCode } from '../protocol/codes';
import { SqlState } from '../protocol/constants';
import { decodeBackend } from '../protocol/decode-backend';
import { encodeBackend } from '../protocol/encode-backend';
import { encodeFrontend } from '../protocol/encode-frontend';
import type { FrameHandler } from '../protocol/framer';
import type { SessionEffect } from '../sql/effects';
import type { BackendConnection } from './backend';
import type { ClientFrame } from './client-frame';
import { ClientConnection } from './client-connection';
import { type ResponseEnd, ResponseQueue, completes } from './response-queue';

export abstract class ServerExchange extends ClientConnection {
  /** The server connection the session holds (or follows behind another session), if any. */
  protected server: BackendConnection | undefined;
  protected readonly responses = new ResponseQueue();

  /** Transaction bookkeeping for the cycle in progress. */
  protected status: 'I' | 'T' | 'E' = 'I';
  protected explicitTransaction = false;
  private cycleFailed = false;
  /** When the client's current statement cycle was dispatched (performance.now()); 0: none is timed. */
  protected cycleStartedAt = 0;
  /** After an error the pooler raised in an extended-protocol cycle: ignore frames until Sync. */
  protected skippingUntilSync = false;
  /** The last CommandComplete's tag began with COMMIT (whether the transaction ending at ReadyForQuery 'I' committed). */
  private lastTagCommit = false;
  /** Messages the server has sent this session (ClientLimits watches it move while the session waits). */
  serverMessages = 0;

  /** Bound once: a connection is attached to the session for every transaction. */
  protected readonly serverFrameHandler: FrameHandler = (code, buffer, frameStart, bodyStart, end, stable) => {
    try {
      this.onServerFrame(code, buffer, frameStart, bodyStart, end, stable);
    } catch (error) {
      this.crash(error);
    }
  };

  /** Gives the connection back when the session is between transactions and nothing pins it. */
  protected abstract maybeRelease(): void;

  /**
   * The server refused the client's `query` (an ErrorResponse in `buffer`): true when the
   * session takes it elsewhere instead — the error and the rest of the answer are then the
   * session's to swallow (it replaces the response slot).
   */
  protected abstract retriesElsewhere(query: ClientFrame, buffer: Buffer, bodyStart: number, end: number): boolean;

  // ------------------------------------------------------------------ requests

  /** Forwards a client frame to the server and expects its response. */
  protected send(bytes: Buffer, ends: ResponseEnd, kind: 'forward' | 'swallow', onDone?: (failed: boolean) => void): void {
    this.server!.output.write(bytes);
    // Absent callbacks are undefined fields, not spreads of optional ones (a generic copy per request).
    this.responses.push({ kind, ends, onDone });
  }

  /** Sends a message of the pooler's own whose response the client must not see. */
  protected inject(bytes: Buffer, ends: ResponseEnd, onDone?: (failed: boolean) => void, onMessage?: (code: number, buffer: Buffer, bodyStart: number, end: number) => void): void {
    this.server!.output.write(bytes);
    this.responses.push({ kind: 'swallow', ends, onDone, onMessage });
  }

  /** Answers in the server's place, in order with the server's answers. */
  protected synthesize(bytes: Buffer): void {
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
  protected failCycle(fields: Record<string, string>): void {
    this.synthesize(encodeBackend({ type: 'errorResponse', fields }));
    this.cycleFailed = true;
    this.skippingUntilSync = true;
  }

  // ------------------------------------------------------------------ answers

  private onServerFrame(code: number, buffer: Buffer, frameStart: number, bodyStart: number, end: number, stable: boolean): void {
    this.serverMessages += 1;
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
    if (code === BackendCode.ErrorResponse && slot.kind === 'forward' && slot.retryable && this.retriesElsewhere(slot.retryable, buffer, bodyStart, end)) {
      this.cycleFailed = true;
      return;
    }
    // Errors always reach the client, even for the pooler's own Parse: its request depended on it.
    if (slot.kind === 'forward' || (code === BackendCode.ErrorResponse && slot.ends !== 'ready')) this.forward(buffer, frameStart, end, stable);
    if (code === BackendCode.CommandComplete) {
      this.lastTagCommit = isCommitTag(buffer, bodyStart, end);
      if (slot.statementEffects) this.applyEffects(slot.statementEffects.shift());
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
    if (stable) this.output.writeRange(buffer, frameStart, end);
    else this.output.write(Buffer.from(buffer.subarray(frameStart, end)));
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

  /** A statement completed: what it did to the session (a BEGIN, a SET, a temp table...) is recorded. */
  protected applyEffects(effects: readonly SessionEffect[] | undefined): void {
    if (!effects) return;
    for (const effect of effects) {
      if (effect.kind === 'begin') this.explicitTransaction = true;
      else if (effect.kind === 'temp-object' && this.server) this.server.discardAfterUse = true;
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
      const committed = this.explicitTransaction ? this.lastTagCommit : !this.cycleFailed;
      this.state.endTransaction(committed);
      this.explicitTransaction = false;
      // Most transactions change no setting: keep the connection's copy when the key says so.
      const startupResets = this.state.takeStartupResets();
      if (startupResets) this.restoreStartupSettings(server, startupResets);
      else if (server.settingsKey !== this.state.settingsKey) {
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
    if (clientCycle && this.cycleStartedAt !== 0) {
      this.context.metrics.statementSeconds?.((performance.now() - this.cycleStartedAt) / 1000);
      this.cycleStartedAt = 0;
    }
    // Inside a transaction with nothing sent and nothing owed, the session waits on its client.
    if (status !== 'I' && clientCycle && this.responses.length === 0 && this.queue.length === 0) this.idleInTransactionSince = Date.now();
    if (status === 'I' && clientCycle && this.state.advisoryUnlockPending) this.checkAdvisoryLocks();
    const probe = status === 'I' && clientCycle ? this.backend?.afterCycle?.(server) : undefined;
    if (probe) this.observeAfterCycle(server, probe);
    this.maybeRelease();
  }

  /**
   * RESET, RESET ALL or DISCARD ALL took these settings to the server connection's defaults,
   * where Postgres goes back to the session's startup packet (a client's PGDATESTYLE, say):
   * they are set again at once, ahead of the client's next statement — on this connection,
   * which a pinned session keeps, as on any other (its settings are then the session's).
   */
  private restoreStartupSettings(server: BackendConnection, names: ReadonlySet<string>): void {
    const settings = this.state.committedSettings;
    const statements = [...names].flatMap((name) => settings.get(name) ?? []);
    if (server.followed) {
      // Another session's statement is already queued behind (never behind a RESET, which is
      // not pipelined; but should it be): the connection is known without them, and the
      // session's next use replays them.
      server.settings = new Map([...settings].filter(([name]) => !names.has(name)));
      server.settingsKey = 'unknown';
      return;
    }
    server.settings = new Map(settings);
    server.settingsKey = this.state.settingsKey;
    if (statements.length === 0) return;
    this.inject(encodeFrontend({ type: 'query', sql: statements.join('; ') }), 'ready', (failed) => {
      if (!failed) return;
      server.broken = true;
      this.fail(SqlState.connectionFailure, "could not restore this session's startup settings after a RESET; reconnect to continue");
    });
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
        if (code === BackendCode.DataRow) value = firstValue(buffer, bodyStart, end);
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
        if (code === BackendCode.DataRow) held = firstValue(buffer, bodyStart, end) !== '0';
      },
    );
  }
}

/** The first column of a DataRow, as text. */
function firstValue(buffer: Buffer, bodyStart: number, end: number): string | null {
  const row = decodeBackend(BackendCode.DataRow, buffer, bodyStart, end) as { readonly values: readonly (Buffer | null)[] };
  return row.values[0]?.toString() ?? null;
}

const COMMIT = Buffer.from('COMMIT', 'latin1');

/**
 * Is the first word of a CommandComplete tag COMMIT ("COMMIT", not "ROLLBACK")? Compared in
 * place: every statement completes, and a string per tag is an allocation per statement.
 */
function isCommitTag(buffer: Buffer, bodyStart: number, end: number): boolean {
  const after = bodyStart + COMMIT.length;
  if (after >= end) return false;
  for (let i = 0; i < COMMIT.length; i++) if (buffer[bodyStart + i] !== COMMIT[i]) return false;
  return buffer[after] === 0x20 || buffer[after] === 0;
}

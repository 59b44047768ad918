/**
 * The client's prepared statements on borrowed server connections: mapped from the client's
 * names to the connection's (deduplicated by text and parameter types, prepared lazily where
 * they run), answered without a connection when the pool already knows them, and the unnamed
 * statement kept across cycles as Postgres keeps it. What else a session between transactions
 * answers without a connection is here too: a Sync, and a lone BEGIN (deferBegin).
 */
import { FrontendCode } from '../protocol/codes';
import { encodeBackend } from '../protocol/encode-backend';
import { encodeFrontend } from '../protocol/encode-frontend';
import type { FrontendMessage } from '../protocol/messages';
import { classify } from '../sql/classify';
import type { SessionEffect, StatementInfo } from '../sql/effects';
import { isPlainBegin } from '../sql/plain-begin';
import type { BackendConnection } from './backend';
import type { ClientFrame } from './client-frame';
import type { ResponseEnd } from './response-queue';
import { ServerExchange } from './server-exchange';
import { statementKey } from './statement-cache';

/** What Postgres answers a BEGIN between transactions; never written to, so one copy serves every session. */
const BEGIN_ANSWER = Buffer.concat([encodeBackend({ type: 'commandComplete', tag: 'BEGIN' }), encodeBackend({ type: 'readyForQuery', status: 'T' })]);
const BEGIN_EFFECTS: readonly SessionEffect[] = Object.freeze([{ kind: 'begin' }]);

interface PreparedStatement {
  readonly key: string;
  readonly sql: string;
  readonly parameterTypes: readonly number[];
  readonly info: StatementInfo;
}

export abstract class StatementExchange extends ServerExchange {
  /** The client's prepared statements by its names; the connection's names are in server.statements. */
  protected readonly statements = new Map<string, PreparedStatement>();
  protected readonly portals = new Map<string, StatementInfo>();
  protected unnamed: StatementInfo | undefined;
  /**
   * The client's unnamed statement, kept from its Parse until a simple Query or a Parse
   * replaces it, as Postgres keeps it: libpq's PQprepare and PQdescribePrepared (psql's
   * \gdesc) use it in separate cycles, which may run on separate server connections.
   */
  private unnamedParse: { readonly sql: string; readonly parameterTypes: readonly number[] } | undefined;
  /** The server connection that holds the unnamed statement, while nothing has replaced it there. */
  protected unnamedOn: BackendConnection | undefined;
  /** A BEGIN answered without a server connection, to send ahead of the transaction's first statement (deferBegin). */
  private deferredBegin: Buffer | undefined;

  protected override inject(bytes: Buffer, ends: ResponseEnd, onDone?: (failed: boolean) => void, onMessage?: (code: number, buffer: Buffer, bodyStart: number, end: number) => void): void {
    // A simple Query drops the connection's unnamed statement (Postgres's exec_simple_query).
    if (bytes[0] === FrontendCode.Query) this.unnamedOn = undefined;
    super.inject(bytes, ends, onDone, onMessage);
  }


  /**
   * Between transactions, preparing a statement the pool already knows (Parse + Sync, as
   * libpq's PQprepare sends) needs no server connection: the statement is prepared lazily
   * where it runs. Answering here also keeps clients that prepare synchronously (pgbench -M
   * prepared, one thread for many connections) from waiting on connections held by their own
   * siblings' transactions.
   */
  protected answerWithoutServer(frame: ClientFrame): boolean {
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
      case FrontendCode.Query:
        return this.skippingUntilSync || this.deferBegin(frame);
      default:
        return this.skippingUntilSync;
    }
  }

  /**
   * A BEGIN with no options, between transactions, is answered here and goes to the server
   * ahead of the transaction's first statement, in that statement's write (ClientSession
   * attach): one cycle of Postgres fewer per transaction, and no server connection held while
   * the client has sent nothing but BEGIN (psycopg, SQLAlchemy and pgbench send it alone). Such
   * a BEGIN cannot fail there, and the transaction's snapshot is taken at its first statement
   * either way; what a client can tell is the transaction's start time (now(), xact_start), which
   * is that first statement's sending, not the BEGIN's answer.
   */
  private deferBegin(frame: ClientFrame): boolean {
    if (!isPlainBegin((frame.message as Extract<FrontendMessage, { type: 'query' }>).sql)) return false;
    if (this.unnamed) this.forgetUnnamed(); // Postgres drops it at every simple Query
    this.context.metrics.statement?.();
    this.deferredBegin = frame.bytes;
    this.applyEffects(BEGIN_EFFECTS);
    this.status = 'T';
    this.synthesize(BEGIN_ANSWER);
    // Nothing else from the client yet: it idles inside its transaction (ClientLimits).
    if (this.queue.length === 1) this.idleInTransactionSince = Date.now();
    return true;
  }

  /** The BEGIN deferBegin answered, once: the connection the session attaches next gets it first. */
  protected takeDeferredBegin(): Buffer | undefined {
    const begin = this.deferredBegin;
    this.deferredBegin = undefined;
    return begin;
  }

  protected handleParse(message: Extract<FrontendMessage, { type: 'parse' }>, frame: ClientFrame): void {
    const info = classify(message.sql);
    if (message.name === '') {
      const parse = { sql: message.sql, parameterTypes: message.parameterTypes };
      this.unnamed = info;
      this.unnamedParse = parse;
      this.unnamedOn = this.server;
      this.send(frame.bytes, 'parse', 'forward', (failed) => {
        // A Parse that fails leaves no unnamed statement behind.
        if (failed && this.unnamedParse === parse) this.forgetUnnamed();
      });
      return;
    }
    if (this.statements.has(message.name)) {
      this.failCycle({ S: 'ERROR', V: 'ERROR', C: '42P05', M: `prepared statement "${message.name}" already exists` });
      return;
    }
    const key = statementKey(message.sql, message.parameterTypes);
    this.statements.set(message.name, { key, sql: message.sql, parameterTypes: message.parameterTypes, info });
    if (this.server!.statements.get(key)) {
      this.context.metrics.statementCacheHit();
      this.synthesize(encodeBackend({ type: 'parseComplete' }));
      return;
    }
    this.context.metrics.statementCacheMiss();
    this.prepareOnServer(key, message.sql, message.parameterTypes, 'forward');
  }

  protected handleBind(message: Extract<FrontendMessage, { type: 'bind' }>, frame: ClientFrame): void {
    if (message.statement === '') {
      this.portals.set(message.portal, this.unnamed ?? classify(''));
      this.ensureUnnamed();
      this.send(frame.bytes, 'bind', 'forward');
      return;
    }
    const name = this.serverStatement(message.statement);
    if (name === undefined) return;
    this.portals.set(message.portal, this.statements.get(message.statement)!.info);
    this.server!.output.write(encodeFrontend({ ...message, statement: name }));
    this.responses.push({ kind: 'forward', ends: 'bind' });
  }

  protected handleDescribe(message: Extract<FrontendMessage, { type: 'describe' }>, frame: ClientFrame): void {
    if (message.target === 'S' && message.name !== '') {
      const name = this.serverStatement(message.name);
      if (name === undefined) return;
      this.server!.output.write(encodeFrontend({ type: 'describe', target: 'S', name }));
      this.responses.push({ kind: 'forward', ends: 'describe' });
      return;
    }
    if (message.target === 'S') this.ensureUnnamed();
    this.send(frame.bytes, 'describe', 'forward');
  }

  protected handleClose(message: Extract<FrontendMessage, { type: 'close' }>, frame: ClientFrame): void {
    if (message.target === 'S' && message.name !== '') {
      // The statement stays prepared on the connection for whoever needs it next.
      this.statements.delete(message.name);
      this.synthesize(encodeBackend({ type: 'closeComplete' }));
      return;
    }
    if (message.target === 'P') this.portals.delete(message.name);
    else this.forgetUnnamed();
    this.send(frame.bytes, 'close', 'forward');
  }

  /**
   * Before a Bind or Describe of the unnamed statement: parses it again (answer swallowed) on a
   * connection that does not hold it — the client prepared it in an earlier cycle, elsewhere.
   */
  private ensureUnnamed(): void {
    const server = this.server!;
    if (!this.unnamedParse || this.unnamedOn === server) return;
    this.unnamedOn = server;
    this.inject(encodeFrontend({ type: 'parse', name: '', ...this.unnamedParse }), 'parse');
  }

  /** A simple Query, a failed Parse or a Close dropped the client's unnamed statement. */
  protected forgetUnnamed(): void {
    this.unnamed = undefined;
    this.unnamedParse = undefined;
    this.unnamedOn = undefined;
  }

  /**
   * The connection's name for the client's statement, preparing it there first if needed;
   * undefined (after failing the cycle) when the client never prepared it.
   */
  protected serverStatement(clientName: string): string | undefined {
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

  /** Does the cycle this frame starts hold only a read-only statement? (Routing hint.) */
  protected startsReadOnly(frame: ClientFrame | undefined): boolean {
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
}

/**
 * The pooler's client listener: accepts sessions (from gateways: each over its own connection,
 * or many over a multiplexed link), keeps one Pool per (user, database) under a shared
 * connection budget, routes CancelRequests to the server connection running the session's
 * query, and reports pools and pins.
 */
import { PauseSwitch } from './pause-switch';
import { randomInt } from 'node:crypto';
import { MuxConnection } from '../link/mux-connection';
import { type NetworkChannel, type ReadingServer, type ServerTls, createReadingServer } from '../link/socket-reads';
import { MUX_ACCEPTED } from '../link/mux-protocol';
import { rmSync } from 'node:fs';
import { SqlState } from '../protocol/constants';
import { sqlStateError } from '../protocol/protocol-error';
import type { Logger } from '../util/log';
import type { ClientAuthenticator } from '../session/client-auth';
import { ClientSession } from '../session/client-session';
import { countPins, type RegisteredSession, type SessionContext } from '../session/session-context';
import { ConnectionBudget } from './connection-budget';
import { Pool, type PoolOptions, type PoolStats } from './pool';
import { poolForStartup } from './pool-for-startup';
import { carriedStartup } from '../session/carried-startup';
import { PoolerMetrics } from './pooler-metrics';
import type { PinReason } from '../session/session-state';
import { ClientLimits } from '../session/client-limits';
import type { ClientLimitsSpec } from '../spec/schema';

export interface PoolerServerOptions {
  readonly host: string;
  readonly port: number;
  /** Also listen on this Unix socket (for gateways on the same host). */
  readonly socketPath?: string;
  readonly pool: PoolOptions;
  /** Server connections all pools together may hold. */
  readonly connectionLimit: number;
  readonly authenticator: ClientAuthenticator;
  /** Gateways present this token instead of authenticating (they did it already). */
  readonly linkToken?: string;
  /**
   * Internal TLS: the TCP port (gateways in other pods, across zones) accepts only TLS, with
   * this certificate; the Unix socket (a gateway on the same host) stays plaintext.
   */
  readonly tls?: ServerTls;
  /** Limits for clients that log in here directly (a gateway's sessions are exempt from caps and timeouts). */
  readonly limits: ClientLimitsSpec;
  readonly log: Logger;
}

export class PoolerServer {
  private readonly pools = new Map<string, Pool>();
  /** polygres pause / resume. */
  readonly pauses = new PauseSwitch(() => this.pools.values());
  private readonly sessions = new Map<number, { session: RegisteredSession; secretKey: number }>();
  private readonly budget: ConnectionBudget;
  private readonly maintenance: NodeJS.Timeout;
  private server: ReadingServer | undefined;
  private socketServer: ReadingServer | undefined;
  private nextProcessId = randomInt(1, 1_000_000);
  readonly metrics: PoolerMetrics;
  readonly limits: ClientLimits;
  private readonly context: SessionContext;
  private readonly links = new Set<MuxConnection>();

  /** The settings new pools get (a changed spec replaces them, see reconfigure). */
  private poolOptions: PoolOptions;

  constructor(private readonly options: PoolerServerOptions) {
    this.poolOptions = options.pool;
    this.budget = new ConnectionBudget(options.connectionLimit);
    this.maintenance = setInterval(() => {
      for (const pool of this.pools.values()) pool.maintain();
    }, 1_000);
    this.limits = new ClientLimits(options.limits, 'pooler', (session, waitedMs) => options.log.warn({ waitedMs: Math.round(waitedMs), ...session.describeWait() }, 'a session has waited a minute with no message from its server: a long statement, or a hang'));
    this.metrics = new PoolerMetrics(() => this.poolStats(), () => this.pinCounts(), this.limits);
    this.context = {
      log: options.log,
      authenticator: options.authenticator,
      limits: this.limits,
      backend: (user, database, startup) => poolForStartup(this.poolFor(user, database), carriedStartup(startup)),
      ...(options.linkToken ? { linkToken: options.linkToken } : {}),
      register: (session) => this.register(session),
      unregister: (session) => {
        this.sessions.delete(session.processId);
        this.metrics.clients.dec();
      },
      cancel: (processId, secretKey) => this.cancel(processId, secretKey),
      acceptLink: (socket) => this.acceptLink(socket),
      metrics: {
        statementCacheHit: () => this.metrics.statementCache.inc({ result: 'hit' }),
        statementCacheMiss: () => this.metrics.statementCache.inc({ result: 'miss' }),
      },
    };
  }

  async listen(): Promise<void> {
    const tcpContext: SessionContext = this.options.tls ? { ...this.context, tls: this.options.tls, tlsRequiredBy: 'the cluster uses internal TLS' } : this.context;
    this.server = createReadingServer((socket) => new ClientSession(socket, tcpContext));
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(this.options.port, this.options.host, () => resolve());
    });
    const path = this.options.socketPath;
    if (!path) return;
    rmSync(path, { force: true });
    this.socketServer = createReadingServer((socket) => new ClientSession(socket, this.context));
    await new Promise<void>((resolve, reject) => {
      this.socketServer!.once('error', reject);
      this.socketServer!.listen(path, () => resolve());
    });
  }

  /** A changed spec's pool settings and client limits, for every pool and session from now on. */
  reconfigure(pool: PoolOptions, limits: ClientLimitsSpec): void {
    this.poolOptions = pool;
    for (const existing of this.pools.values()) existing.reconfigure(pool);
    this.limits.reconfigure(limits);
  }

  poolStats(): PoolStats[] {
    return [...this.pools.values()].map((pool) => pool.stats());
  }

  pinCounts(): Map<PinReason, number> {
    return countPins(this.sessions.values());
  }

  /**
   * A new term began here: sessions waiting for a server connection were routed under an older
   * one and must not run on this node, whatever it becomes next (promoted before its rule is
   * written, or demoted). They fail as a failover's cut transaction does, with 57P01.
   */
  turnAwayWaiters(): void {
    const error = sqlStateError(SqlState.adminShutdown, 'this node is changing roles (a failover or switchover); the statement did not run — reconnect and retry');
    for (const pool of this.pools.values()) pool.turnAwayWaiters(error);
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  close(): void {
    clearInterval(this.maintenance);
    this.limits.close();
    this.server?.close();
    this.socketServer?.close();
    for (const { session } of this.sessions.values()) session.close();
    for (const link of this.links) link.close();
    for (const pool of this.pools.values()) pool.shutdown();
  }

  /** A gateway's multiplexed link: each session it opens is a ClientSession of its own. */
  private acceptLink(socket: NetworkChannel): void {
    socket.write(Buffer.from([MUX_ACCEPTED]));
    const link = new MuxConnection(socket);
    link.onOpen = (channel) => new ClientSession(channel, this.context);
    this.links.add(link);
    link.onClosed(() => this.links.delete(link));
  }

  private poolFor(user: string, database: string): Pool {
    const key = `${user}\u0000${database}`;
    let pool = this.pools.get(key);
    if (!pool) {
      pool = new Pool(user, database, this.poolOptions, this.budget, this.options.log);
      pool.onWait = (seconds) => this.metrics.waitSeconds.observe(seconds);
      this.pauses.adopt(pool);
      this.pools.set(key, pool);
    }
    return pool;
  }

  private register(session: RegisteredSession): { processId: number; secretKey: number } {
    const processId = this.nextProcessId++;
    if (this.nextProcessId > 2 ** 31 - 1) this.nextProcessId = 1;
    const secretKey = randomInt(-(2 ** 31), 2 ** 31 - 1);
    this.sessions.set(processId, { session, secretKey });
    this.metrics.clients.inc();
    return { processId, secretKey };
  }

  /** A CancelRequest came in: the session with that key cancels whatever it runs. */
  private cancel(processId: number, secretKey: number): void {
    const entry = this.sessions.get(processId);
    if (entry && entry.secretKey === secretKey) entry.session.cancel();
  }
}

/**
 * A gateway session's backend for one route (primary or replica): each cycle goes to the node
 * the route points at now — through the gateway's own pool when that node's Postgres is
 * co-located (one hop), else over the session's link to the node's pooler (two hops). Waiting
 * for a primary during a failover, login parameters and known statements are the link's, so
 * both paths behave alike; only where the server connection comes from differs.
 */
import type { Backend, BackendConnection, CycleHint } from '../session/backend';
import type { Pool } from '../pooler/pool';
import { type ColocatedPools, RouteChangedError } from './colocated-pools';
import type { LinkBackend } from './link-backend';
import type { Endpoint } from './pooler-endpoint';
import type { CarriedStartup } from '../session/carried-startup';

export class RoutedBackend implements Backend {
  readonly lossMessage: string;
  /** The connection the session borrowed from a co-located pool, while it holds one. */
  private lent: BackendConnection | undefined;
  private lastNode: string | undefined;
  private lastPool: Pool | undefined;
  /** The co-located pool the session borrowed from last: the lender of `lent`, and told when the session ends. */
  private lastLender: Pool | undefined;

  constructor(
    private readonly link: LinkBackend,
    private readonly pools: ColocatedPools,
    private readonly user: string,
    private readonly database: string,
    /** What the session's startup carries onto a pool connection (carried-startup.ts). */
    private readonly startup: CarriedStartup,
  ) {
    this.lossMessage = link.lossMessage;
  }

  get knownStatements(): Set<string> {
    return this.link.knownStatements;
  }

  tryAcquire(owner: object, hint?: CycleHint): BackendConnection | undefined {
    const pool = this.poolAt(this.link.route);
    if (!pool) return this.link.tryAcquire();
    const connection = pool.tryAcquire(owner, hint, this.startup);
    return connection && this.lend(pool, connection);
  }

  tryPipeline(statementMayFollow: () => boolean): BackendConnection | undefined {
    const pool = this.poolAt(this.link.route);
    const connection = pool?.tryPipeline(statementMayFollow, this.startup);
    return connection && this.lend(pool!, connection);
  }

  /**
   * Waits for a connection where the route points; if the route moves meanwhile, follows it.
   * A connection that comes after the route moved (the wait outlived a failover) is not used:
   * its node may since have been promoted without its rule written yet, or demoted, and
   * nothing may be written to a node the route does not point at.
   */
  async acquire(owner: object, hint?: CycleHint): Promise<BackendConnection> {
    for (;;) {
      const endpoint = this.link.route ?? (await this.link.routedEndpoint());
      const pool = this.poolAt(endpoint);
      if (!pool) return this.link.acquire();
      let connection: BackendConnection;
      try {
        connection = await pool.acquire(owner, hint, this.startup);
      } catch (error) {
        if (error instanceof RouteChangedError) continue;
        throw error;
      }
      if (this.link.pointsAt(endpoint)) return this.lend(pool, connection);
      pool.release(connection);
    }
  }

  release(connection: BackendConnection): void {
    if (connection !== this.lent) return this.link.release(connection);
    this.lent = undefined;
    this.lastLender!.release(connection);
  }

  cancel(connection: BackendConnection): void {
    if (connection === this.lent) this.lastLender!.cancel(connection);
    else this.link.cancel(connection);
  }

  /** Did `connection` come from this backend (its pool or its link)? */
  owns(connection: BackendConnection): boolean {
    return connection === this.lent || this.link.owns(connection);
  }

  sessionClosed(owner: object): void {
    this.link.sessionClosed();
    this.lastLender?.sessionClosed(owner);
  }

  loginParameters(): ReadonlyMap<string, string> | undefined {
    return this.link.loginParameters();
  }

  rememberLoginParameters(parameters: ReadonlyMap<string, string>): void {
    this.link.rememberLoginParameters(parameters);
  }

  /** The co-located pool serving `endpoint` for this session's user and database (remembered: asked every cycle). */
  private poolAt(endpoint: Endpoint | undefined): Pool | undefined {
    if (!endpoint) return undefined;
    if (endpoint.instance !== this.lastNode) {
      this.lastNode = endpoint.instance;
      this.lastPool = this.pools.poolFor(endpoint.instance, this.user, this.database);
    }
    return this.lastPool;
  }

  private lend(pool: Pool, connection: BackendConnection): BackendConnection {
    this.lent = connection;
    this.lastLender = pool;
    return connection;
  }
}

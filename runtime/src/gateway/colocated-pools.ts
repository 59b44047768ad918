/**
 * The gateway's own pools for the Postgres of co-located instances (its zone, its host): a
 * session routed to one of them borrows a server connection here instead of riding a link to
 * that instance's pooler: one hop instead of two, half the latency for a single client and
 * one process fewer to wake per statement. Pools are per (instance, user, database), each
 * instance under a connection budget that is the gateway's share of its Postgres (see
 * connection-shares).
 */
import { PauseSwitch } from '../pooler/pause-switch';
import { ConnectionBudget } from '../pooler/connection-budget';
import { Pool, type PoolOptions, type PoolStats } from '../pooler/pool';
import type { Logger } from '../util/log';

export interface ColocatedPoolStats extends PoolStats {
  /** The instance whose Postgres the pool connects to. */
  readonly node: string;
}

/** The node a session waited for stopped being where its route points: route it again. */
export class RouteChangedError extends Error {}

export class ColocatedPools {
  private readonly pools = new Map<string, { readonly node: string; readonly pool: Pool }>();
  private readonly budgets = new Map<string, ConnectionBudget>();
  private readonly maintenance: NodeJS.Timeout;
  /** polygres pause / resume. */
  readonly pauses = new PauseSwitch(() => [...this.pools.values()].map(({ pool }) => pool));
  /** Wait times of acquisitions that queued, for the metrics histogram. */
  onWait: (seconds: number) => void = () => undefined;

  /** `nodes`: the pool settings (target included) of each co-located instance, by name. */
  constructor(
    private nodes: ReadonlyMap<string, PoolOptions>,
    budgetPerInstance: number,
    private readonly log: Logger,
  ) {
    for (const node of nodes.keys()) this.budgets.set(node, new ConnectionBudget(budgetPerInstance));
    this.maintenance = setInterval(() => {
      for (const { pool } of this.pools.values()) pool.maintain();
    }, 1_000);
    this.maintenance.unref();
  }

  /** The pool for `user`@`database` on instance `node`, or undefined when `node` is not co-located. */
  poolFor(node: string, user: string, database: string): Pool | undefined {
    const options = this.nodes.get(node);
    if (!options) return undefined;
    const key = `${node}\u0000${user}\u0000${database}`;
    let entry = this.pools.get(key);
    if (!entry) {
      const pool = new Pool(user, database, options, this.budgets.get(node)!, this.log);
      pool.onWait = (seconds) => this.onWait(seconds);
      this.pauses.adopt(pool);
      entry = { node, pool };
      this.pools.set(key, entry);
    }
    return entry.pool;
  }

  /**
   * The primary is now `primary`: sessions waiting for a connection of another node (the old
   * primary, perhaps unreachable) are turned away to be routed again. A replica-route waiter
   * turned away this way simply queues again.
   */
  primaryMoved(primary: string): void {
    for (const { node, pool } of this.pools.values()) {
      if (node !== primary) pool.turnAwayWaiters(new RouteChangedError(`${node} is no longer the primary`));
    }
  }

  /** A changed spec's pool settings, for every pool from now on (the targets stay). */
  reconfigure(nodes: ReadonlyMap<string, PoolOptions>): void {
    this.nodes = nodes;
    for (const { node, pool } of this.pools.values()) {
      const options = nodes.get(node);
      if (options) pool.reconfigure(options);
    }
  }

  stats(): ColocatedPoolStats[] {
    return [...this.pools.values()].map(({ node, pool }) => ({ node, ...pool.stats() }));
  }

  close(): void {
    clearInterval(this.maintenance);
    for (const { pool } of this.pools.values()) pool.shutdown();
  }
}

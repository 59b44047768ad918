/**
 * A pool as the backend of one session whose startup carries an application_name: each
 * acquisition passes it, so the pool opens connections with it and lends the session only
 * connections it may use (carried-startup.ts). A session whose startup carries nothing uses
 * the pool itself.
 */
import type { Backend, BackendConnection, CycleHint } from '../session/backend';
import { type CarriedStartup, NO_CARRIED_STARTUP } from '../session/carried-startup';
import type { ServerConnection } from '../session/server-connection';
import type { Pool } from './pool';

export function poolForStartup(pool: Pool, startup: CarriedStartup): Backend {
  return startup === NO_CARRIED_STARTUP ? pool : new PoolForStartup(pool, startup);
}

class PoolForStartup implements Backend {
  constructor(
    private readonly pool: Pool,
    private readonly startup: CarriedStartup,
  ) {}

  get knownStatements(): Set<string> {
    return this.pool.knownStatements;
  }

  get lossMessage(): string {
    return this.pool.lossMessage;
  }

  tryAcquire(owner: object, hint?: CycleHint): ServerConnection | undefined {
    return this.pool.tryAcquire(owner, hint, this.startup);
  }

  acquire(owner: object, hint?: CycleHint): Promise<ServerConnection> {
    return this.pool.acquire(owner, hint, this.startup);
  }

  tryPipeline(statementMayFollow: () => boolean): ServerConnection | undefined {
    return this.pool.tryPipeline(statementMayFollow, this.startup);
  }

  release(connection: BackendConnection): void {
    this.pool.release(connection);
  }

  cancel(connection: BackendConnection): void {
    this.pool.cancel(connection);
  }

  sessionClosed(owner: object): void {
    this.pool.sessionClosed(owner);
  }
}

/**
 * PgBouncer's PAUSE and RESUME for a process's pools: paused, a session waits for a server
 * connection (no queue timeout runs meanwhile) while those holding one — mid-transaction, or
 * pinned — go on; resumed, the waiters get connections and run as if nothing happened. For
 * every database, or for one: a pool created while its database is paused starts paused.
 */
import { z } from 'zod';
import { parseBody } from '../admin/http-server';
import type { Pool } from './pool';
import { sleep } from '../util/net';

export interface PauseReport {
  readonly paused: 'all' | readonly string[];
  /** Server connections still in use in the paused pools when the wait ended. */
  readonly active: number;
}

export class PauseSwitch {
  private everything = false;
  private readonly databases = new Set<string>();

  constructor(private readonly pools: () => Iterable<Pool>) {}

  isPaused(database: string): boolean {
    return this.everything || this.databases.has(database);
  }

  /** Pauses, then waits up to `waitMs` for the connections in use to be given back. */
  async pause(database: string | undefined, waitMs: number): Promise<PauseReport> {
    if (database === undefined) this.everything = true;
    else this.databases.add(database);
    for (const pool of this.pools()) if (this.isPaused(pool.database)) pool.pause();
    const deadline = Date.now() + waitMs;
    let active = this.active();
    while (active > 0 && Date.now() < deadline) {
      await sleep(50);
      active = this.active();
    }
    return { paused: this.everything ? 'all' : [...this.databases], active };
  }

  /** Without a database, resumes everything; with one, that database (if it was paused by name). */
  resume(database: string | undefined): PauseReport {
    if (database === undefined) {
      this.everything = false;
      this.databases.clear();
    } else this.databases.delete(database);
    for (const pool of this.pools()) if (!this.isPaused(pool.database)) pool.resume();
    return { paused: this.everything ? 'all' : [...this.databases], active: this.active() };
  }

  /** A new pool joins the pause its database is under. */
  adopt(pool: Pool): void {
    if (this.isPaused(pool.database)) pool.pause();
  }

  private active(): number {
    let active = 0;
    for (const pool of this.pools()) if (this.isPaused(pool.database)) active += pool.stats().active;
    return active;
  }
}

/** The body of POST /v1/pause and /v1/resume on a pooler's or a gateway's admin API. */
export const pauseRequestSchema = z
  .object({
    database: z.string().min(1).optional(),
    /** How long pause waits for the connections in use to be given back before it reports. */
    waitMs: z.number().int().min(0).max(3_600_000).default(60_000),
  })
  .strict();

/** The admin routes of a process whose pools `pauses` switches. */
export function pauseRoutes(pauses: PauseSwitch): Record<string, (body: unknown) => Promise<PauseReport> | PauseReport> {
  return {
    'POST /v1/pause': (body) => {
      const request = parseBody(pauseRequestSchema, body ?? {});
      return pauses.pause(request.database, request.waitMs);
    },
    'POST /v1/resume': (body) => pauses.resume(parseBody(pauseRequestSchema, body ?? {}).database),
  };
}

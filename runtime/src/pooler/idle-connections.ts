/**
 * A pool's idle connections, newest last, and which one a session gets.
 *
 * Last in, first out, like PgBouncer: a few warm backends carry light load (their caches hot,
 * the scheduler waking the same processes) and the rest stay idle until they time out, where
 * first in, first out would keep every connection alive and cycle through them all.
 * Among those a session may use (its startup covers what the connection logged in with:
 * carried-startup.ts), the one it used last comes first — no reset, no replay, its statements
 * still prepared there; then one that logged in with the session's own startup (no replay
 * after the reset); then the newest. Within each, one that needs no reset (nobody used it, or
 * it was reset when its last session ended) before the newest.
 */
import { type CarriedStartup, startupCovers } from '../session/carried-startup';
import type { ServerConnection } from '../session/server-connection';
import { leftClean } from '../session/handoff-reset';

export class IdleConnections {
  private readonly list: ServerConnection[] = [];

  /** `discard` closes a connection found dead while idle. */
  constructor(private readonly discard: (connection: ServerConnection) => void) {}

  get length(): number {
    return this.list.length;
  }

  /** A snapshot, oldest first (safe to remove from while walking it). */
  all(): readonly ServerConnection[] {
    return [...this.list];
  }

  push(connection: ServerConnection): void {
    // While idle, a connection only hears asynchronous messages; a FATAL error means it is gone.
    connection.attach((code) => {
      if (code === 0x45 /* ErrorResponse */) connection.broken = true;
    });
    this.list.push(connection);
  }

  /** The oldest idle connection, taken out (to close it). */
  shift(): ServerConnection | undefined {
    return this.list.shift();
  }

  /** Takes `connection` out if it is idle; false if it is not. */
  remove(connection: ServerConnection): boolean {
    const index = this.list.indexOf(connection);
    if (index === -1) return false;
    this.list.splice(index, 1);
    return true;
  }

  /** The idle connection the session `owner` (startup `startup`) should get, taken out; undefined if it may use none. */
  take(owner: object | undefined, startup: CarriedStartup): ServerConnection | undefined {
    this.dropDead();
    // Newest first, per kind: [needs a reset, needs none], for the session's own startup and for one it covers.
    const same = [-1, -1];
    const usable = [-1, -1];
    for (let index = this.list.length - 1; index >= 0; index--) {
      const connection = this.list[index]!;
      const sameStartup = connection.startup.key === startup.key;
      if (!sameStartup && !startupCovers(startup, connection.startup)) continue;
      if (connection.lastOwner === owner) return this.takeAt(index);
      const kind = sameStartup ? same : usable;
      const clean = leftClean(connection.lastOwner) ? 1 : 0;
      if (kind[clean] === -1) kind[clean] = index;
    }
    return this.takeAt([same[1]!, same[0]!, usable[1]!, usable[0]!].find((index) => index !== -1) ?? -1);
  }

  /** An idle connection no session has used yet (a new backend) that `startup` may use, taken out; or undefined. */
  takeFresh(startup: CarriedStartup): ServerConnection | undefined {
    this.dropDead();
    return this.takeAt(this.list.findIndex((connection) => connection.lastOwner === undefined && startupCovers(startup, connection.startup)));
  }

  private takeAt(index: number): ServerConnection | undefined {
    if (index === -1) return undefined;
    return index === this.list.length - 1 ? this.list.pop() : this.list.splice(index, 1)[0];
  }

  private dropDead(): void {
    for (let i = this.list.length - 1; i >= 0; i--) {
      const connection = this.list[i]!;
      if (connection.broken || connection.closed) {
        this.list.splice(i, 1);
        this.discard(connection);
      }
    }
  }
}

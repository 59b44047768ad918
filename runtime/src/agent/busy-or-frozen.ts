/**
 * Tells a frozen Postgres from a busy one. A health query that misses its deadline is not
 * enough to fail over: a primary saturated by its clients (two cores, fifty pgbench clients and
 * a pooler beside it) can take longer than that to answer, and failing it over would turn load
 * into an outage. So a missed deadline counts at once only when the postmaster is stopped
 * (SIGSTOP, a debugger: frozen for sure); while it runs, the last good answer stands, marked
 * busy, for up to BUSY_GRACE_MS of unanswered checks — after that it is wedged, and unhealthy.
 * The grace is for the postmaster that gave the last good answer only: one started since (a
 * restart) has never served, and a server that answers that it is starting up or shutting down
 * (SQLSTATE 57P03) has said it does not serve — neither is "busy", or a health check taken during
 * a restart would report the server healthy before it accepts a connection.
 */
import type { PostgresHealth } from '../postgres/postgres-probe';

/** How long a running postmaster may leave health queries unanswered before it counts as wedged. */
export const BUSY_GRACE_MS = 10_000;

/** Postgres's own words for "not accepting connections now" (cannot_connect_now, 57P03): starting up, shutting down, in recovery mode. */
const NOT_SERVING = /the database system is /;

export class BusyOrFrozen {
  private lastGood: PostgresHealth | undefined;
  /** The postmaster that gave the last good answer. */
  private lastGoodPid: number | undefined;
  private failingSince: number | undefined;

  constructor(private readonly isStopped: (pid: number) => boolean) {}

  /** The health to report for a check's result, given the postmaster's pid (undefined: not running). */
  judge(checked: PostgresHealth, postmasterPid: number | undefined, now = Date.now()): PostgresHealth {
    if (checked.healthy) {
      this.lastGood = checked;
      this.lastGoodPid = postmasterPid;
      this.failingSince = undefined;
      return checked;
    }
    if (postmasterPid === undefined || !this.lastGood || postmasterPid !== this.lastGoodPid) return this.failed(checked);
    if (NOT_SERVING.test(checked.error ?? '')) return this.failed(checked);
    if (this.isStopped(postmasterPid)) return this.failed({ ...checked, error: `postgres is frozen (its postmaster is stopped): ${checked.error ?? 'no answer'}` });
    this.failingSince ??= now;
    const failingFor = now - this.failingSince;
    if (failingFor >= BUSY_GRACE_MS) return this.failed({ ...checked, error: `postgres runs but has not answered health queries for ${failingFor} ms: ${checked.error ?? 'no answer'}` });
    return { ...this.lastGood, error: `busy: ${checked.error ?? 'no answer'} (postgres runs; unanswered for ${failingFor} ms of ${BUSY_GRACE_MS})` };
  }

  private failed(checked: PostgresHealth): PostgresHealth {
    this.lastGood = undefined;
    this.lastGoodPid = undefined;
    this.failingSince = undefined;
    return checked;
  }
}

/**
 * Tells a frozen Postgres from a busy one. A health query that misses its deadline is not
 * enough to fail over: a primary saturated by its clients (two cores, fifty pgbench clients and
 * a pooler beside it) can take longer than that to answer, and failing it over would turn load
 * into an outage. So a missed deadline counts at once only when the postmaster is stopped
 * (SIGSTOP, a debugger: frozen for sure); while it runs, the last good answer stands, marked
 * busy, for up to BUSY_GRACE_MS of unanswered checks — after that it is wedged, and unhealthy.
 */
import type { PostgresHealth } from '../postgres/postgres-probe';

/** How long a running postmaster may leave health queries unanswered before it counts as wedged. */
export const BUSY_GRACE_MS = 10_000;

export class BusyOrFrozen {
  private lastGood: PostgresHealth | undefined;
  private failingSince: number | undefined;

  constructor(private readonly isStopped: (pid: number) => boolean) {}

  /** The health to report for a check's result, given the postmaster's pid (undefined: not running). */
  judge(checked: PostgresHealth, postmasterPid: number | undefined, now = Date.now()): PostgresHealth {
    if (checked.healthy) {
      this.lastGood = checked;
      this.failingSince = undefined;
      return checked;
    }
    if (postmasterPid === undefined || !this.lastGood) return this.failed(checked);
    if (this.isStopped(postmasterPid)) return this.failed({ ...checked, error: `postgres is frozen (its postmaster is stopped): ${checked.error ?? 'no answer'}` });
    this.failingSince ??= now;
    const failingFor = now - this.failingSince;
    if (failingFor >= BUSY_GRACE_MS) return this.failed({ ...checked, error: `postgres runs but has not answered health queries for ${failingFor} ms: ${checked.error ?? 'no answer'}` });
    return { ...this.lastGood, error: `busy: ${checked.error ?? 'no answer'} (postgres runs; unanswered for ${failingFor} ms of ${BUSY_GRACE_MS})` };
  }

  private failed(checked: PostgresHealth): PostgresHealth {
    this.lastGood = undefined;
    this.failingSince = undefined;
    return checked;
  }
}

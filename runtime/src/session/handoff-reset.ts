/**
 * What a server connection gets before it serves a session other than the one that used it
 * last: a reset, sent in the same write as the incoming session's own settings and
 * statement, so it costs no round trip.
 *
 * Why reset at all: the pooler tracks what a session does at top level (SET, set_config with
 * literals, LISTEN, cursors, advisory locks...), but not what runs inside functions, DO
 * blocks, procedures and triggers — `set_config('search_path', ...)` or `set_config('role',
 * ...)` in a function body, a temp table created by dynamic SQL, a LISTEN or an advisory lock
 * taken in a trigger. Whatever it was, the next session must not see it.
 *
 * Which reset: `DISCARD ALL` undoes everything a session can leave on its backend, but it
 * also drops the statements the pooler prepared there and shares between sessions; each
 * would be parsed and planned again on the next hand-off. So a connection with no pooler
 * statements gets DISCARD ALL, and one with statements gets the same list without
 * `DEALLOCATE ALL` and `DISCARD PLANS` — RESET ALL, role and session authorization, CLOSE ALL,
 * UNLISTEN *, pg_advisory_unlock_all(), DISCARD TEMP and SEQUENCES — in one query.
 * Measured here (pgbench -S, 50 clients through a gateway, every transaction a hand-off):
 * no reset 24k tps; DISCARD ALL 15.7k (simple) and 12.2k (prepared, statements parsed again);
 * the list that keeps statements 16.0k and 15.3k. The one thing the second form leaves is a
 * statement a function prepared with dynamic SQL (`EXECUTE 'PREPARE ...'`): it stays listed in
 * pg_prepared_statements, where the pooler's shared statements are listed anyway.
 *
 * The reset runs outside a transaction (a connection only changes hands between
 * transactions) as a Query of its own, so its answer is swallowed on its own ReadyForQuery.
 */
import { encodeFrontend } from '../protocol/encode-frontend';
import type { BackendConnection } from './backend';

const DISCARD_ALL = encodeFrontend({ type: 'query', sql: 'DISCARD ALL' });

/** Everything DISCARD ALL does but DEALLOCATE ALL and DISCARD PLANS. */
const KEEPING_STATEMENTS = 'RESET ALL; SET ROLE NONE; CLOSE ALL; UNLISTEN *; DISCARD TEMP; DISCARD SEQUENCES; SELECT pg_catalog.pg_advisory_unlock_all()';
const RESET_KEEPING_STATEMENTS = encodeFrontend({ type: 'query', sql: KEEPING_STATEMENTS });
/** The same, for a connection whose session authorization changed (Postgres reports that). */
const RESET_KEEPING_STATEMENTS_AND_IDENTITY = encodeFrontend({ type: 'query', sql: `SET SESSION AUTHORIZATION DEFAULT; ${KEEPING_STATEMENTS}` });

const NO_SETTINGS: ReadonlyMap<string, string> = new Map();

/**
 * The reset for `connection`, encoded once per kind (the same bytes go out at every
 * hand-off), and the connection's state as the pooler tracks it afterwards: no settings, and
 * no prepared statements if they went too.
 */
export function handOffReset(connection: BackendConnection): Buffer {
  const identityChanged = connection.identityChanged;
  connection.settings = NO_SETTINGS;
  connection.settingsKey = '';
  connection.identityChanged = false;
  if (connection.statements.size === 0) return DISCARD_ALL;
  return identityChanged ? RESET_KEEPING_STATEMENTS_AND_IDENTITY : RESET_KEEPING_STATEMENTS;
}

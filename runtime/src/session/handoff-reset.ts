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
 *
 * The reset and the replay of the incoming session's settings (its startup's application_name,
 * say) go out in the write that carries the statement (client-session.ts), so a hand-off costs
 * no round trip: DISCARD ALL as a Query of its own followed by the replay's, the list as one
 * Query with the replay. What is left is the statements themselves: measured against Postgres
 * directly (pgbench -S, 50 clients), the list below in the statement's own Query takes 56k tps
 * to 41k; SET ROLE NONE and the SELECT for the advisory locks cost most. Through a gateway,
 * where every transaction is a hand-off: no reset 24k tps; this reset 17k (simple and
 * prepared alike). bench/results/handoff-reset.md has the runs. The one thing the second form
 * leaves is a statement a function prepared with dynamic SQL (`EXECUTE 'PREPARE ...'`): it
 * stays listed in pg_prepared_statements, where the pooler's shared statements are listed anyway.
 *
 * The reset runs outside a transaction (a connection only changes hands between
 * transactions), and its answer is swallowed on its own ReadyForQuery.
 */
import { encodeFrontend } from '../protocol/encode-frontend';
import type { BackendConnection } from './backend';

/** A reset: alone, as one Query; or as statements that other statements may follow in the same Query. */
export interface HandOffReset {
  /** The reset on its own, encoded once (the same bytes go out at every such hand-off). */
  readonly query: Buffer;
  /**
   * The same reset as a statement list for the replay to follow in its Query; undefined for
   * DISCARD ALL, which may not share a Query with anything: the replay then goes as a Query
   * of its own, in the same write.
   */
  readonly statements: string | undefined;
}

/**
 * Closing portals can run user code, so it comes first — as in Postgres's own DISCARD ALL,
 * whose steps these are. Exported for bench/handoff-reset.ts, which measures each.
 */
export const KEEPING_STATEMENTS = 'CLOSE ALL; RESET ALL; SET ROLE NONE; UNLISTEN *; DISCARD TEMP; DISCARD SEQUENCES; SELECT pg_catalog.pg_advisory_unlock_all()';
const IDENTITY = 'SET SESSION AUTHORIZATION DEFAULT';

function reset(alone: string, statements: string | undefined): HandOffReset {
  return { query: encodeFrontend({ type: 'query', sql: alone }), statements };
}

/**
 * Everything: DISCARD ALL, always in a Query of its own. One statement, and two answers to
 * swallow, where its ten steps spelled out are ten statements and thirteen answers: through a
 * gateway, 11.3k against 9.6k select-only tps (docs/DECISIONS.md, 2026-12-03).
 */
const EVERYTHING = reset('DISCARD ALL', undefined);
/** Everything DISCARD ALL does but DEALLOCATE ALL and DISCARD PLANS. */
const KEEPING = reset(KEEPING_STATEMENTS, KEEPING_STATEMENTS);
/** The same, for a connection whose session authorization changed (Postgres reports that). */
const KEEPING_BUT_IDENTITY = reset(`${IDENTITY}; ${KEEPING_STATEMENTS}`, `${IDENTITY}; ${KEEPING_STATEMENTS}`);

/**
 * The last owner of a connection reset after the session that used it ended
 * (pooler/ended-session-reset.ts): like a connection no session has used, it needs no reset;
 * unlike one, it is not fresh (whatever library a session loaded stays loaded).
 */
export const RESET_FOR_NEXT_SESSION: object = Object.freeze({ resetForNextSession: true });

/** May a session take a connection `lastOwner` left as it is: nobody used it, or it was reset when its last session ended? */
export function leftClean(lastOwner: object | undefined): boolean {
  return lastOwner === undefined || lastOwner === RESET_FOR_NEXT_SESSION;
}

/**
 * The reset for `connection`, and the connection's state as the pooler tracks it afterwards:
 * the settings it logged in with (none, or a session's application_name: carried-startup.ts),
 * and no prepared statements if they went too.
 */
export function handOffReset(connection: BackendConnection): HandOffReset {
  const identityChanged = connection.identityChanged;
  connection.settings = connection.startup.settings;
  connection.settingsKey = connection.startup.key;
  connection.identityChanged = false;
  if (connection.statements.size === 0) return EVERYTHING;
  return identityChanged ? KEEPING_BUT_IDENTITY : KEEPING;
}

/**
 * What a statement does to a session beyond its result: the facts the pooler needs to decide
 * whether a server connection may be shared, and what to replay on another one.
 */
export type SessionEffect =
  | { readonly kind: 'begin' }
  | { readonly kind: 'commit' }
  | { readonly kind: 'rollback' }
  /** SAVEPOINT, and what ROLLBACK TO and RELEASE do to it: settings made since a savepoint are undone with it. */
  | { readonly kind: 'savepoint'; readonly name: string }
  | { readonly kind: 'rollback-to-savepoint'; readonly name: string }
  | { readonly kind: 'release-savepoint'; readonly name: string }
  /** A session-level setting: `statement` replays it on another connection. */
  | { readonly kind: 'set'; readonly name: string; readonly statement: string }
  | { readonly kind: 'reset'; readonly name: string }
  | { readonly kind: 'reset-all' }
  | { readonly kind: 'discard'; readonly target: 'all' | 'plans' | 'sequences' | 'temp' }
  | { readonly kind: 'listen'; readonly channel: string }
  | { readonly kind: 'unlisten'; readonly channel: string | null }
  | { readonly kind: 'temp-object' }
  | { readonly kind: 'hold-cursor'; readonly name: string }
  | { readonly kind: 'close-cursor'; readonly name: string | null }
  | { readonly kind: 'advisory-lock' }
  | { readonly kind: 'advisory-unlock' }
  | { readonly kind: 'sql-prepare'; readonly name: string }
  | { readonly kind: 'sql-deallocate'; readonly name: string | null }
  /** LOAD, or CREATE FUNCTION ... LANGUAGE C: a library in this backend only (its hooks, its settings, its memory), for the session's life. */
  | { readonly kind: 'load' }
  /** Something that changes the session in a way we cannot replay: pin the session. */
  | { readonly kind: 'untracked'; readonly reason: string };

export interface StatementInfo {
  /** Reads only (SELECT, SHOW, ...): may go to a replica when the client asked for that. */
  readonly readOnly: boolean;
  /** One entry per statement in the text, in order: its session effects (often none). */
  readonly statements: readonly (readonly SessionEffect[])[];
}

export const NO_EFFECTS: readonly SessionEffect[] = [];

/**
 * Settings of Postgres's procedural languages, and the placeholders a session may set under
 * their prefixes. A language's library is loaded into a backend the first time anything there
 * uses the language (a function call, a DO block, a CREATE FUNCTION's validator); it then
 * reserves its prefix, and a setting under it that the language does not define is refused
 * from then on (PostgreSQL 15: "invalid configuration parameter name ... is a reserved
 * prefix"). Until then Postgres keeps it as a placeholder. A session that holds such a
 * placeholder cannot have it replayed on a pooled backend, which has loaded whatever earlier
 * sessions used — it keeps its own backend (SessionState).
 */

/** Each language's prefix and the settings its library defines (PostgreSQL 15). */
const LANGUAGE_SETTINGS: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  ['plpgsql', new Set(['variable_conflict', 'print_strict_params', 'check_asserts', 'extra_warnings', 'extra_errors'])],
  ['plperl', new Set(['on_init', 'on_plperl_init', 'on_plperlu_init', 'use_strict'])],
  ['pltcl', new Set(['start_proc'])],
  ['pltclu', new Set(['start_proc'])],
]);

/** Is `name` (lower case) a placeholder under a procedural language's prefix, one the language will refuse once loaded? */
export function isLanguagePlaceholder(name: string): boolean {
  const dot = name.indexOf('.');
  if (dot === -1) return false;
  const defined = LANGUAGE_SETTINGS.get(name.slice(0, dot));
  return defined !== undefined && !defined.has(name.slice(dot + 1));
}

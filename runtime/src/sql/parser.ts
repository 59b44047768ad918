/**
 * The real Postgres parser (libpg-query, compiled to WebAssembly), loaded once per process.
 * Its grammar is Postgres 17's, a superset of what Postgres 15 accepts.
 */
import { loadModule, parseSync } from 'libpg-query';

let loaded: Promise<void> | undefined;
let ready = false;

/** Loads the parser; services call this once at start-up. */
export function loadSqlParser(): Promise<void> {
  loaded ??= loadModule().then(() => {
    ready = true;
  });
  return loaded;
}

export interface RawStatement {
  readonly stmt: Record<string, unknown>;
  readonly stmt_location?: number;
  readonly stmt_len?: number;
}

/** Parses `sql`; throws the parser's SqlError when it is not valid SQL. */
export function parseSql(sql: string): RawStatement[] {
  if (!ready) throw new Error('the SQL parser is not loaded: call loadSqlParser() at start-up');
  return (parseSync(sql) as { stmts?: RawStatement[] }).stmts ?? [];
}

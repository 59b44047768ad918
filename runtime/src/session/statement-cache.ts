/**
 * The prepared statements that exist on one server connection, keyed by (query text,
 * parameter types), with least-recently-used eviction past a bound. Names are the pooler's own
 * and never reused on a connection, so a lost Close can never collide with a later Parse.
 */
export interface CachedStatement {
  readonly name: string;
  /** False until the server acknowledged the Parse (ParseComplete). */
  ready: boolean;
}

export class StatementCache {
  private readonly entries = new Map<string, CachedStatement>();
  private counter = 0;

  constructor(private readonly limit: number) {}

  get size(): number {
    return this.entries.size;
  }

  /** The statement for `key`, marked most recently used. */
  get(key: string): CachedStatement | undefined {
    const entry = this.entries.get(key);
    if (entry) {
      this.entries.delete(key);
      this.entries.set(key, entry);
    }
    return entry;
  }

  /** Adds a new (not yet ready) statement; returns it and the names evicted to make room. */
  add(key: string): { statement: CachedStatement; evicted: string[] } {
    const statement: CachedStatement = { name: `pgy_${++this.counter}`, ready: false };
    this.entries.set(key, statement);
    const evicted: string[] = [];
    while (this.limit > 0 && this.entries.size > this.limit) {
      const [oldestKey, oldest] = this.entries.entries().next().value as [string, CachedStatement];
      this.entries.delete(oldestKey);
      if (oldest.ready) evicted.push(oldest.name);
    }
    return { statement, evicted };
  }

  /** Forgets a statement whose Parse failed or was skipped by the server. */
  forget(key: string, name: string): void {
    if (this.entries.get(key)?.name === name) this.entries.delete(key);
  }

  /** DEALLOCATE ALL or DISCARD ALL ran on this connection: nothing is prepared any more. */
  clear(): void {
    this.entries.clear();
  }
}

/** What makes two prepared statements the same one: their text and parameter types. */
export function statementKey(sql: string, parameterTypes: readonly number[]): string {
  return `${sql}\u0000${parameterTypes.join(',')}`;
}

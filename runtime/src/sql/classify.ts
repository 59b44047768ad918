/**
 * Statement classification (ARCHITECTURE.md, data path): a fast path on the leading keywords for the
 * statements that make up nearly all traffic, and the real Postgres parser (libpg-query) for
 * everything else — several statements, session commands, anything that mentions a function
 * with session effects. Parser results are cached by text, since drivers repeat statements.
 */
import { type StatementInfo, NO_EFFECTS } from './effects';
import { parseEffects } from './parse-effects';
import { isEmptyStatement, leadingKeyword, mayHoldSeveralStatements } from './tokenizer';

const PLAIN_READS: ReadonlySet<string> = new Set(['SELECT', 'VALUES', 'TABLE', 'SHOW']);
const PLAIN_WRITES: ReadonlySet<string> = new Set(['INSERT', 'UPDATE', 'DELETE', 'MERGE']);
/** The first words the fast path knows (WITH to send it to the parser); any other goes there too. */
const FAST_PATH_WORDS = [...PLAIN_READS, ...PLAIN_WRITES, 'WITH'];
/**
 * Words that send an otherwise plain statement to the parser (a false alarm only costs a
 * parse): session-level functions, SELECT ... INTO, which creates a table, and row locks, which
 * make a SELECT a write. Case-insensitive patterns, so the hot path neither lower-cases a copy
 * of the statement nor scans it once per word; any white space may separate FOR and its lock.
 */
const READ_NEEDS_PARSER = /advisory|set_config|into|for\s+(?:update|share|no\s+key|key\s+share)/i;
const WRITE_NEEDS_PARSER = /advisory|set_config/i;

const cache = new Map<string, StatementInfo>();
const CACHE_LIMIT = 10_000;

const SINGLE_READ: StatementInfo = { readOnly: true, statements: [NO_EFFECTS] };
const SINGLE_WRITE: StatementInfo = { readOnly: false, statements: [NO_EFFECTS] };
const EMPTY: StatementInfo = { readOnly: true, statements: [] };

export function classify(sql: string): StatementInfo {
  // The fast path costs less than a cache lookup, and caching its results would fill the cache
  // with every literal of every simple-protocol query: only parser results are cached.
  const fast = classifyFast(sql);
  if (fast) return fast;
  const cached = cache.get(sql);
  if (cached) return cached;
  const info = parseEffects(sql);
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(sql, info);
  return info;
}

/**
 * Is this one plain read or write with no session effects, as the fast path knows it? Such a
 * statement, sent on its own outside a transaction, may be pipelined behind another session's
 * on a busy connection (see Pool.tryPipeline).
 */
export function isPlainStatement(info: StatementInfo): boolean {
  return info === SINGLE_READ || info === SINGLE_WRITE;
}

function classifyFast(sql: string): StatementInfo | undefined {
  if (isEmptyStatement(sql)) return EMPTY;
  const first = leadingKeyword(sql, FAST_PATH_WORDS);
  if (!first || first === 'WITH' || mayHoldSeveralStatements(sql)) return undefined;
  if (PLAIN_READS.has(first) && !READ_NEEDS_PARSER.test(sql)) return SINGLE_READ;
  if (PLAIN_WRITES.has(first) && !WRITE_NEEDS_PARSER.test(sql)) return SINGLE_WRITE;
  return undefined;
}

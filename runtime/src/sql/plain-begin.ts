/**
 * Is this simple Query exactly a BEGIN with no options — `BEGIN`, `BEGIN WORK`, `BEGIN
 * TRANSACTION` or `START TRANSACTION`, any case, with a trailing semicolon and whitespace? Such a
 * BEGIN, between transactions, cannot fail, and run just before the transaction's first statement
 * it differs only in the transaction's start time, so a session may answer it itself and send it
 * ahead of that statement (StatementExchange.deferBegin). Anything more — an
 * isolation level, READ ONLY (which may route elsewhere), a comment, a second statement — is
 * not one, and goes to Postgres as it came.
 */
const PLAIN_BEGIN = /^\s*(?:begin(?:\s+(?:work|transaction))?|start\s+transaction)\s*;?\s*$/i;

/** Longer texts are never a plain BEGIN: most Queries are rejected on their length alone. */
const LONGEST = 40;

export function isPlainBegin(sql: string): boolean {
  return sql.length <= LONGEST && PLAIN_BEGIN.test(sql);
}

/**
 * The fast path of statement classification: the leading keywords of a statement, read by a
 * small scanner that skips white space and comments (`--`, nested `/* *\/`). No regular
 * expressions over SQL: the scanner walks characters, and anything it cannot decide goes to
 * the real parser (libpg-query).
 */

const enum Char {
  Tab = 9,
  Newline = 10,
  CarriageReturn = 13,
  Space = 32,
  Star = 42,
  Dash = 45,
  Slash = 47,
  Semicolon = 59,
  Underscore = 95,
}

function isSpace(code: number): boolean {
  return code === Char.Space || code === Char.Tab || code === Char.Newline || code === Char.CarriageReturn || code === 11 || code === 12;
}

function isWordStart(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === Char.Underscore || code >= 128;
}

function isWordChar(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || (code >= 48 && code <= 57) || code === Char.Underscore || code >= 128;
}

/** Skips white space and comments from `at`; returns the next significant position. */
function skipInsignificant(sql: string, at: number): number {
  let i = at;
  while (i < sql.length) {
    const code = sql.charCodeAt(i);
    if (isSpace(code)) {
      i++;
    } else if (code === Char.Dash && sql.charCodeAt(i + 1) === Char.Dash) {
      while (i < sql.length && sql.charCodeAt(i) !== Char.Newline) i++;
    } else if (code === Char.Slash && sql.charCodeAt(i + 1) === Char.Star) {
      let depth = 1;
      i += 2;
      while (i < sql.length && depth > 0) {
        if (sql.charCodeAt(i) === Char.Slash && sql.charCodeAt(i + 1) === Char.Star) {
          depth++;
          i += 2;
        } else if (sql.charCodeAt(i) === Char.Star && sql.charCodeAt(i + 1) === Char.Slash) {
          depth--;
          i += 2;
        } else {
          i++;
        }
      }
    } else {
      return i;
    }
  }
  return i;
}

/**
 * Which of `keywords` (upper case) the statement starts with, past white space and comments,
 * in any case; undefined for any other start. Compared in place, as every simple Query is
 * asked: no string is made of the statement's first word.
 */
export function leadingKeyword<K extends string>(sql: string, keywords: readonly K[]): K | undefined {
  const start = skipInsignificant(sql, 0);
  if (start >= sql.length || !isWordStart(sql.charCodeAt(start))) return undefined;
  let end = start + 1;
  while (end < sql.length && isWordChar(sql.charCodeAt(end))) end++;
  for (const keyword of keywords) if (sameWord(sql, start, end, keyword)) return keyword;
  return undefined;
}

/** Is sql[start, end) the upper-case ASCII word `keyword`, in any case? */
function sameWord(sql: string, start: number, end: number, keyword: string): boolean {
  if (end - start !== keyword.length) return false;
  // Clearing bit 0x20 upper-cases an ASCII letter; no other character becomes one.
  for (let i = 0; i < keyword.length; i++) if ((sql.charCodeAt(start + i) & ~0x20) !== keyword.charCodeAt(i)) return false;
  return true;
}

/** True when nothing but white space, comments and semicolons is in `sql`. */
export function isEmptyStatement(sql: string): boolean {
  let i = skipInsignificant(sql, 0);
  while (i < sql.length && sql.charCodeAt(i) === Char.Semicolon) i = skipInsignificant(sql, i + 1);
  return i >= sql.length;
}

/**
 * True when `sql` may hold more than one statement: a semicolon followed by anything
 * significant. Quotes are not parsed here, so a semicolon inside a string literal also says
 * "maybe" — and the real parser decides.
 */
export function mayHoldSeveralStatements(sql: string): boolean {
  let at = sql.indexOf(';');
  while (at !== -1) {
    if (skipInsignificant(sql, at + 1) < sql.length && sql.charCodeAt(skipInsignificant(sql, at + 1)) !== Char.Semicolon) return true;
    at = sql.indexOf(';', at + 1);
  }
  return false;
}

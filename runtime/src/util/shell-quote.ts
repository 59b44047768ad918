/**
 * One word for a POSIX shell, whatever it holds: single quotes, each quote inside closed,
 * escaped and reopened (an empty string stays a word).
 */
export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", "'\\''")}'`;
}

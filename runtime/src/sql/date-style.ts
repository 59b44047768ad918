/**
 * DateStyle is two settings in one: the output format (ISO, SQL, Postgres, German) and the
 * order of day, month and year (YMD, DMY, MDY and their aliases). A SET may name only one
 * half and keeps the other: `SET DateStyle = dmy` after `'Postgres, MDY'` is `Postgres, DMY`.
 * Replayed alone on another server connection, that statement would take the format from
 * whatever that connection had (PostgreSQL's horology test caught it). So the statement a
 * session keeps for DateStyle is the shortest chain of its own statements, oldest first, that
 * sets both halves — starting from RESET when the session never set one of them.
 */

const FORMATS = new Set(['iso', 'sql', 'postgres', 'german']);
const ORDERS = new Set(['ymd', 'dmy', 'euro', 'european', 'mdy', 'us', 'noneuro', 'noneuropean']);
/** Words that set both halves: RESET, SET ... TO DEFAULT, and the DEFAULT keyword of the value. */
const BOTH = new Set(['reset', 'default']);
const SEPARATOR = '; ';
const RESET = 'RESET datestyle';

interface Halves {
  readonly format: boolean;
  readonly order: boolean;
}

/**
 * The statements to keep for DateStyle after `statement` (a SET of it, or set_config), given
 * what was kept before (undefined: the session has the server's default).
 */
export function dateStyleChain(previous: string | undefined, statement: string): string {
  const chain = [...(previous === undefined ? [RESET] : previous.split(SEPARATOR)), statement];
  const kept: string[] = [];
  let format = false;
  let order = false;
  for (let i = chain.length - 1; i >= 0 && !(format && order); i--) {
    const halves = halvesSetBy(chain[i]!);
    if ((halves.format && !format) || (halves.order && !order)) kept.unshift(chain[i]!);
    format ||= halves.format;
    order ||= halves.order;
  }
  return kept.join(SEPARATOR);
}

/** Which halves a statement sets. One that names neither is taken to set both: replaying it alone is what it did. */
function halvesSetBy(statement: string): Halves {
  const words: readonly string[] = statement.toLowerCase().match(/[a-z]+/g) ?? [];
  if (words.some((word) => BOTH.has(word))) return { format: true, order: true };
  const format = words.some((word) => FORMATS.has(word));
  const order = words.some((word) => ORDERS.has(word));
  // German without an order also sets DMY (Postgres's check_datestyle).
  if (words.includes('german')) return { format: true, order: true };
  if (!format && !order) return { format: true, order: true };
  return { format, order };
}

/**
 * A client's startup parameters as session settings. Postgres applies the parameters of the
 * StartupMessage (and `-c name=value` pairs in `options`) as if SET at login; the pooler keeps
 * them as the SET statements that make them, so they are replayed on whichever server
 * connection the session borrows, and reported back to the client as Postgres would.
 */
import { LINK_TOKEN_PARAMETER } from '../link/mux-protocol';

/** Startup parameters that are not settings. */
const NOT_SETTINGS = new Set(['user', 'database', 'replication', 'options', LINK_TOKEN_PARAMETER]);

/** Startup parameters as the SET statements that would make them, by lower-case name. */
export function startupSettings(parameters: Readonly<Record<string, string>>): Map<string, string> {
  const settings = new Map<string, string>();
  for (const [name, value] of Object.entries(parameters)) {
    if (NOT_SETTINGS.has(name)) continue;
    settings.set(name.toLowerCase(), setStatement(name, value));
  }
  for (const [name, value] of optionsSettings(parameters.options)) settings.set(name.toLowerCase(), setStatement(name, value));
  return settings;
}

/** The name and value of each setting that startupSettings made, as the client sent them. */
export function startupValues(settings: Iterable<string>): Map<string, string> {
  const values = new Map<string, string>();
  for (const statement of settings) {
    const parsed = parseSetStatement(statement);
    if (parsed) values.set(parsed.name, parsed.value);
  }
  return values;
}

/** `-c name=value` pairs from the `options` startup parameter (backslash escapes spaces). */
export function optionsSettings(options: string | undefined): [string, string][] {
  if (!options) return [];
  const words: string[] = [];
  let word = '';
  for (let i = 0; i < options.length; i++) {
    const char = options[i]!;
    if (char === '\\' && i + 1 < options.length) word += options[++i];
    else if (char === ' ') {
      if (word) words.push(word);
      word = '';
    } else word += char;
  }
  if (word) words.push(word);
  const pairs: [string, string][] = [];
  for (let i = 0; i < words.length; i++) {
    let setting: string | undefined;
    if (words[i] === '-c') setting = words[++i];
    else if (words[i]!.startsWith('-c')) setting = words[i]!.slice(2);
    else if (words[i]!.startsWith('--')) setting = words[i]!.slice(2);
    const eq = setting?.indexOf('=') ?? -1;
    if (setting && eq > 0) pairs.push([setting.slice(0, eq).replaceAll('-', '_'), setting.slice(eq + 1)]);
  }
  return pairs;
}

function setStatement(name: string, value: string): string {
  return `SET ${quoteName(name)} TO ${quoteLiteral(value)}`;
}

/** Reads back a statement setStatement made; other statements (a client's own SET) are undefined. */
function parseSetStatement(statement: string): { name: string; value: string } | undefined {
  const prefix = 'SET "';
  if (!statement.startsWith(prefix)) return undefined;
  const nameEnd = statement.indexOf('" TO \'');
  if (nameEnd === -1) return undefined;
  const name = statement.slice(prefix.length, nameEnd).replaceAll('""', '"');
  const value = statement.slice(nameEnd + 6, -1).replaceAll("''", "'");
  return { name, value };
}

function quoteName(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

function quoteLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

import { InvalidRequestError } from '../util/domain-errors';
import { type LogSource, SERVICE_KINDS } from './log-record';

/**
 * `--service NAMES` (comma-separated): the sources any of the names selects — a kind
 * (`pooler`), a label (`pooler/zone-a-0`), a process (`pooler-zone-a-0`), an instance (its
 * pooler and its Postgres) or a zone (everything in it). All of them when no names are given.
 * A name that selects nothing is refused with the names that would.
 */
export function selectSources(sources: readonly LogSource[], names: string | undefined): LogSource[] {
  if (names === undefined) return [...sources];
  const wanted = names.split(',').map((name) => name.trim()).filter((name) => name !== '');
  // The kinds first, then every other name in order.
  const valid = [...new Set(sources.flatMap((source) => source.names))].sort((a, b) => Number(isKind(b)) - Number(isKind(a)) || (isKind(a) ? 0 : a.localeCompare(b)));
  const unknown = wanted.filter((name) => !valid.includes(name));
  if (wanted.length === 0 || unknown.length > 0) {
    const what = wanted.length === 0 ? '--service names nothing' : `--service ${unknown.map((name) => `"${name}"`).join(', ')} matches no log of this cluster`;
    throw new InvalidRequestError(`${what}; give one or more (comma-separated) of: ${valid.join(', ')}`);
  }
  return sources.filter((source) => source.names.some((name) => wanted.includes(name)));
}

function isKind(name: string): boolean {
  return (SERVICE_KINDS as readonly string[]).includes(name);
}

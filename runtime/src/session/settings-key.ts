/**
 * A stable key of a set of session settings (name -> the SET statement that made it): two
 * sets with the same key are the same settings, so a connection whose key is a session's
 * needs no replay. Shared by SessionState and the settings a pool connection starts with.
 */
import { createHash } from 'node:crypto';

export function settingsKeyOf(settings: ReadonlyMap<string, string>): string {
  if (settings.size === 0) return '';
  const hash = createHash('sha1');
  for (const [name, statement] of [...settings].sort(([a], [b]) => a.localeCompare(b))) hash.update(name).update('\0').update(statement).update('\0');
  return hash.digest('base64');
}

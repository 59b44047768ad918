/**
 * The startup settings a pool connection logs in with, taken from the session it is opened
 * for, so that after a hand-off reset it already has them.
 *
 * Why: RESET ALL and DISCARD ALL take a setting back to the value the connection's startup
 * packet gave it, not to the server's default. A connection opened plain is reset to no
 * settings, and every session that sends an application_name (pgbench, psql, JDBC, most
 * drivers) has it replayed by a second Query at every hand-off. A connection opened with the
 * session's application_name is reset to it: sessions with the same startup take it over with
 * the reset alone (docs/DECISIONS.md, 2026-12-03).
 *
 * The trap, and the rule that closes it: on such a connection, RESET (by the hand-off or by a
 * client) gives the connection's startup value, which is another session's. So a connection
 * only serves sessions whose own startup has every setting it carries (Pool, startupCovers):
 * whatever the session resets comes back to the connection's value, and the session sets its
 * own startup value again (ServerExchange.restoreStartupSettings), as it already does on a
 * plain connection. A session without them is served by plain connections.
 *
 * Only application_name is carried: any value is valid, so a login never fails for it. A
 * TimeZone or DateStyle from a client's startup may be one Postgres refuses, and a refused
 * login would stall the whole pool; those keep being replayed.
 */
import { settingsKeyOf } from './settings-key';
import { startupSettings } from './startup-settings';

/** Startup settings a connection may be opened with (lower case). */
const CARRIED = new Set(['application_name']);

export interface CarriedStartup {
  /** settingsKeyOf(settings): the connection's settings key right after a reset. */
  readonly key: string;
  /** As session settings (name -> the SET statement), what the connection has after a reset. */
  readonly settings: ReadonlyMap<string, string>;
  /** As startup parameters, for the connection's login. */
  readonly parameters: Readonly<Record<string, string>>;
}

export const NO_CARRIED_STARTUP: CarriedStartup = { key: '', settings: new Map(), parameters: {} };

/**
 * What a connection opened for a session with these startup values (name -> value, as the
 * client sent them) carries. The statements are startupSettings' own, so a session whose
 * settings are exactly its startup has the connection's key.
 */
export function carriedStartup(startupValues: ReadonlyMap<string, string>): CarriedStartup {
  const parameters: Record<string, string> = {};
  for (const [name, value] of startupValues) if (isCarried(name)) parameters[name] = value;
  if (Object.keys(parameters).length === 0) return NO_CARRIED_STARTUP;
  const settings = startupSettings(parameters);
  return { key: settingsKeyOf(settings), settings, parameters };
}

/** May a connection that logged in with `connection` serve a session whose startup carries `session`? */
export function startupCovers(session: CarriedStartup, connection: CarriedStartup): boolean {
  if (connection.settings.size === 0 || connection.key === session.key) return true;
  for (const name of connection.settings.keys()) if (!session.settings.has(name)) return false;
  return true;
}

/** Is `name` a startup setting a connection may carry? */
export function isCarried(name: string): boolean {
  return CARRIED.has(name.toLowerCase());
}

/**
 * A connection's login parameters (ParameterStatus) as the server's own, fit to tell other
 * sessions: without what the connection carried, which was the value of the session it was
 * opened for.
 */
export function serverParameters(parameters: ReadonlyMap<string, string>, startup: CarriedStartup): Map<string, string> {
  const own = new Map(parameters);
  for (const name of startup.settings.keys()) own.delete(name);
  return own;
}

/**
 * Remembered login parameters lack a setting a connection may carry, and the session does not
 * send it itself: they cannot tell it the server's value (a plain connection can).
 */
export function lacksCarried(parameters: ReadonlyMap<string, string>, startupValues: ReadonlyMap<string, string>): boolean {
  const sent = new Set([...startupValues.keys()].map((name) => name.toLowerCase()));
  for (const name of CARRIED) if (!parameters.has(name) && !sent.has(name)) return true;
  return false;
}

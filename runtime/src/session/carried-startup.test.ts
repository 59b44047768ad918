import { describe, expect, it } from 'vitest';
import { NO_CARRIED_STARTUP, carriedStartup, isCarried, lacksCarried, serverParameters, startupCovers } from './carried-startup';
import { SessionState } from './session-state';
import { startupSettings } from './startup-settings';

const pgbench = carriedStartup(new Map([['application_name', 'pgbench']]));
const psql = carriedStartup(new Map([['application_name', 'psql']]));

describe('the startup a pool connection logs in with', () => {
  it('carries the application_name alone, as the login parameter and as the setting a session with that startup has', () => {
    const jdbc = carriedStartup(new Map([['application_name', 'PostgreSQL JDBC Driver'], ['DateStyle', 'ISO'], ['TimeZone', 'Mars/Base'], ['extra_float_digits', '3']]));
    expect(jdbc.parameters).toEqual({ application_name: 'PostgreSQL JDBC Driver' });
    expect([...jdbc.settings.keys()]).toEqual(['application_name']);
    expect(pgbench.key).toBe(new SessionState(startupSettings({ application_name: 'pgbench' })).settingsKey);
    expect(carriedStartup(new Map([['DateStyle', 'ISO']]))).toBe(NO_CARRIED_STARTUP);
    expect(isCarried('Application_Name')).toBe(true);
    expect(isCarried('TimeZone')).toBe(false);
  });

  it('lets a connection serve only sessions whose own startup has what it carries', () => {
    expect(startupCovers(pgbench, pgbench)).toBe(true);
    expect(startupCovers(psql, pgbench)).toBe(true); // psql's own value replaces it, and comes back after its RESET
    expect(startupCovers(NO_CARRIED_STARTUP, pgbench)).toBe(false); // its RESET would give it pgbench's
    expect(startupCovers(NO_CARRIED_STARTUP, NO_CARRIED_STARTUP)).toBe(true);
    expect(startupCovers(pgbench, NO_CARRIED_STARTUP)).toBe(true);
  });

  it('tells other sessions only the server\'s own login parameters', () => {
    const reported = new Map([['application_name', 'pgbench'], ['TimeZone', 'UTC']]);
    expect(serverParameters(reported, pgbench)).toEqual(new Map([['TimeZone', 'UTC']]));
    expect(serverParameters(reported, NO_CARRIED_STARTUP)).toEqual(reported);
    const remembered = new Map([['TimeZone', 'UTC']]);
    expect(lacksCarried(remembered, new Map())).toBe(true);
    expect(lacksCarried(remembered, new Map([['application_name', 'psql']]))).toBe(false);
    expect(lacksCarried(reported, new Map())).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { decodeFrontend } from '../protocol/decode-frontend';
import type { BackendConnection } from './backend';
import { HandOffQuery } from './handoff-query';
import { handOffReset } from './handoff-reset';
import { type CarriedStartup, NO_CARRIED_STARTUP, carriedStartup } from './carried-startup';
import { SessionState } from './session-state';
import { startupSettings } from './startup-settings';

/** The SQL of each Query message in `queries`. */
function sqlOf(queries: readonly Buffer[]): string[] {
  return queries.map((query) => (decodeFrontend(query[0]!, query, 5, query.length) as { sql: string }).sql);
}

/** The fields handOffReset reads and writes: a connection with `statements` pooler statements. */
function connection(statements: number, startup: CarriedStartup = NO_CARRIED_STARTUP): BackendConnection {
  return { statements: { size: statements }, settings: new Map([['application_name', "SET application_name = 'a'"]]), settingsKey: 'a', identityChanged: false, startup } as unknown as BackendConnection;
}

describe('the hand-off query', () => {
  const replay = "SET application_name = 'pgbench'";

  it('sends DISCARD ALL as a Query of its own, then the replay, where no pooler statement is kept', () => {
    const queries = new HandOffQuery().resetAndReplay(handOffReset(connection(0)), replay);
    expect(sqlOf(queries)).toEqual(['DISCARD ALL', replay]);
  });

  it('puts the reset that keeps the pooler statements and the replay in one Query', () => {
    const [sql, ...more] = sqlOf(new HandOffQuery().resetAndReplay(handOffReset(connection(2)), replay));
    expect(more).toEqual([]);
    expect(sql).toMatch(/^CLOSE ALL; RESET ALL; SET ROLE NONE; .*pg_advisory_unlock_all\(\); SET application_name = 'pgbench'$/);
    expect(sql).not.toMatch(/DEALLOCATE|DISCARD ALL|DISCARD PLANS/);
  });

  it('sends the replay alone when there is no reset, and encodes each combination once', () => {
    const handOff = new HandOffQuery();
    expect(sqlOf(handOff.resetAndReplay(undefined, replay))).toEqual([replay]);
    expect(handOff.resetAndReplay(undefined, replay)).toBe(handOff.resetAndReplay(undefined, replay));
    const reset = handOffReset(connection(0));
    expect(handOff.resetAndReplay(reset, replay)).toBe(handOff.resetAndReplay(reset, replay));
  });

  it('leaves the connection with no settings after a reset', () => {
    const reset = connection(0);
    handOffReset(reset);
    expect(reset.settings.size).toBe(0);
    expect(reset.settingsKey).toBe('');
  });

  it('leaves a connection opened with an application_name with it after a reset: a session with the same startup needs no replay', () => {
    const startup = carriedStartup(new Map([['application_name', 'pgbench']]));
    const reset = connection(0, startup);
    handOffReset(reset);
    expect(reset.settings).toBe(startup.settings);
    expect(reset.settingsKey).toBe(new SessionState(startupSettings({ application_name: 'pgbench' })).settingsKey);
  });

  it('replays from a connection\'s startup what differs, and keeps that replay while the settings stay the same', () => {
    const startup = carriedStartup(new Map([['application_name', 'pgbench']]));
    const handOff = new HandOffQuery();
    const settings = startupSettings({ application_name: 'pgbench', TimeZone: 'UTC' });
    const snapshot = handOff.snapshot('key', settings);
    const replay = handOff.replay(startup.settings, snapshot);
    expect(replay).toBe(`SET "TimeZone" TO 'UTC'`);
    expect(handOff.replay(startup.settings, snapshot)).toBe(replay);
    expect(handOff.replay(new Map(), snapshot)).toBe(`SET "application_name" TO 'pgbench'; SET "TimeZone" TO 'UTC'`);
  });
});

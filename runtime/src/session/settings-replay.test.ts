import { describe, expect, it } from 'vitest';
import { SessionState } from './session-state';
import { settingsReplay } from './settings-replay';

const settings = (entries: Record<string, string>) => new Map(Object.entries(entries));
const LO = 'SET lo_compat_privileges = true';
const AUTH = 'SET SESSION AUTHORIZATION regress_priv_user4';
const ROLE = 'SET ROLE regress_role';

describe('settings replay', () => {
  it('sets what differs and resets what only the connection has', () => {
    expect(settingsReplay(settings({ work_mem: 'SET work_mem = 1', app: 'SET app.x = 1' }), settings({ work_mem: 'SET work_mem = 2' }))).toBe('RESET "app"; SET work_mem = 2');
    expect(settingsReplay(settings({ work_mem: 'SET work_mem = 1' }), settings({ work_mem: 'SET work_mem = 1' }))).toBe('');
  });

  it('puts the identity back last, whatever order the session made it in', () => {
    // The map keeps the order settings were first made: the authorization may come first.
    expect(settingsReplay(new Map(), new Map([['session_authorization', AUTH], ['lo_compat_privileges', LO]]))).toBe(`${LO}; ${AUTH}`);
    expect(settingsReplay(new Map(), new Map([['role', ROLE], ['session_authorization', AUTH]]))).toBe(`${AUTH}; ${ROLE}`);
  });

  it('changes settings as the login user on a connection that runs as someone else', () => {
    expect(settingsReplay(settings({ session_authorization: AUTH }), settings({ session_authorization: AUTH, lo_compat_privileges: LO }))).toBe(
      `RESET SESSION AUTHORIZATION; RESET ROLE; ${LO}; ${AUTH}`,
    );
    expect(settingsReplay(settings({ role: ROLE, work_mem: 'SET work_mem = 1' }), settings({}))).toBe('RESET SESSION AUTHORIZATION; RESET ROLE; RESET "work_mem"');
  });

  it('leaves an unchanged identity alone when nothing else changes', () => {
    expect(settingsReplay(settings({ session_authorization: AUTH, role: ROLE }), settings({ role: ROLE, session_authorization: AUTH }))).toBe('');
  });
});

describe('session authorization in the session state', () => {
  it('undoes SET ROLE, as Postgres does', () => {
    const state = new SessionState();
    state.apply({ kind: 'set', name: 'role', statement: ROLE });
    state.endTransaction(true);
    state.apply({ kind: 'set', name: 'session_authorization', statement: AUTH });
    state.endTransaction(true);
    expect([...state.committedSettings.keys()]).toEqual(['session_authorization']);
    state.apply({ kind: 'set', name: 'role', statement: ROLE });
    state.apply({ kind: 'reset', name: 'session_authorization' });
    state.endTransaction(true);
    expect([...state.committedSettings.keys()]).toEqual([]);
  });
});

describe('the startup packet’s settings in the session state', () => {
  const startup = new Map([['datestyle', "SET \"DateStyle\" TO 'Postgres, MDY'"], ['timezone', "SET \"timezone\" TO 'PST8PDT'"]]);

  it('are what RESET returns to, as Postgres takes them for the session’s defaults', () => {
    const state = new SessionState(startup);
    state.apply({ kind: 'set', name: 'datestyle', statement: 'SET DateStyle TO ISO' });
    state.apply({ kind: 'set', name: 'work_mem', statement: "SET work_mem = '1MB'" });
    state.endTransaction(true);
    state.apply({ kind: 'reset', name: 'datestyle' });
    state.apply({ kind: 'reset', name: 'work_mem' });
    state.endTransaction(true);
    expect(state.committedSettings).toEqual(startup);
  });

  it('are what RESET ALL and DISCARD ALL return to', () => {
    for (const effect of [{ kind: 'reset-all' }, { kind: 'discard', target: 'all' }] as const) {
      const state = new SessionState(startup);
      state.apply({ kind: 'set', name: 'timezone', statement: "SET TIME ZONE 'UTC'" });
      state.endTransaction(true);
      state.apply(effect);
      state.endTransaction(true);
      expect(state.committedSettings).toEqual(startup);
    }
  });
});

import { describe, expect, it } from 'vitest';
import type { SessionEffect } from '../sql/effects';
import { SessionState } from './session-state';

const set = (name: string, value: string): SessionEffect => ({ kind: 'set', name, statement: `SET ${name} = ${value}` });

describe('settings inside a transaction with savepoints (guc.sql)', () => {
  it('undoes what ROLLBACK TO SAVEPOINT undoes, keeps what RELEASE keeps, and pins nothing', () => {
    const state = new SessionState();
    state.apply({ kind: 'begin' });
    state.apply(set('datestyle', "'MDY'"));
    state.apply({ kind: 'savepoint', name: 'first_sp' });
    state.apply(set('datestyle', "'German, DMY'"));
    state.apply(set('vacuum_cost_delay', '80'));
    state.apply({ kind: 'rollback-to-savepoint', name: 'first_sp' });
    state.apply({ kind: 'savepoint', name: 'second_sp' });
    state.apply(set('work_mem', "'8MB'"));
    state.apply({ kind: 'savepoint', name: 'third_sp' });
    state.apply(set('work_mem', "'16MB'"));
    state.apply({ kind: 'release-savepoint', name: 'second_sp' });
    state.endTransaction(true);
    expect(Object.fromEntries(state.committedSettings)).toEqual({ datestyle: "RESET datestyle; SET datestyle = 'MDY'", work_mem: "SET work_mem = '16MB'" });
    expect(state.pinned).toBe(false);
  });

  it('rolls back to the newest savepoint of a name, which stays for another ROLLBACK TO', () => {
    const state = new SessionState();
    state.apply({ kind: 'savepoint', name: 'sp' });
    state.apply(set('a.x', '1'));
    state.apply({ kind: 'savepoint', name: 'sp' });
    state.apply(set('a.x', '2'));
    state.apply({ kind: 'rollback-to-savepoint', name: 'sp' });
    state.apply(set('a.y', '3'));
    state.apply({ kind: 'rollback-to-savepoint', name: 'sp' });
    state.endTransaction(true);
    expect([...state.committedSettings.values()]).toEqual(['SET a.x = 1']);
  });

  it('forgets the savepoints when the transaction ends', () => {
    const state = new SessionState();
    state.apply({ kind: 'savepoint', name: 'sp' });
    state.endTransaction(false);
    state.apply(set('work_mem', "'8MB'"));
    state.apply({ kind: 'rollback-to-savepoint', name: 'sp' }); // Postgres refuses it: no such savepoint
    state.endTransaction(true);
    expect([...state.committedSettings.keys()]).toEqual(['work_mem']);
  });
});

describe('RESET of a custom placeholder (guc.sql: "this makes it go to empty, not become unknown again")', () => {
  it('keeps the RESET, so a backend the session moves to defines the placeholder too; a plain setting is dropped', () => {
    const state = new SessionState();
    state.apply(set('custom.my_guc', "'foo'"));
    state.apply(set('work_mem', "'8MB'"));
    state.endTransaction(true);
    state.apply({ kind: 'reset', name: 'custom.my_guc' });
    state.apply({ kind: 'reset', name: 'work_mem' });
    state.endTransaction(true);
    expect(Object.fromEntries(state.committedSettings)).toEqual({ 'custom.my_guc': 'RESET "custom"."my_guc"' });
  });
});

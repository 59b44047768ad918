import { describe, expect, it } from 'vitest';
import type { ServerConnection } from '../session/server-connection';
import { type CarriedStartup, NO_CARRIED_STARTUP, carriedStartup } from '../session/carried-startup';
import { IdleConnections } from './idle-connections';
import { RESET_FOR_NEXT_SESSION } from '../session/handoff-reset';

const pgbench = carriedStartup(new Map([['application_name', 'pgbench']]));
const psql = carriedStartup(new Map([['application_name', 'psql']]));

/** The fields IdleConnections reads. */
const idle = (name: string, startup: CarriedStartup, lastOwner?: object) =>
  ({ name, startup, lastOwner, broken: false, closed: false, attach: () => undefined }) as unknown as ServerConnection & { name: string };

function pool(...connections: ServerConnection[]): IdleConnections {
  const list = new IdleConnections(() => undefined);
  for (const connection of connections) list.push(connection);
  return list;
}

const nameOf = (connection: ServerConnection | undefined) => (connection as { name?: string } | undefined)?.name;

describe('which idle connection a session gets', () => {
  const me = {};

  it('the one it used last, then one opened with its own startup, then the newest it may use', () => {
    expect(nameOf(pool(idle('mine', pgbench, me), idle('same', pgbench), idle('plain', NO_CARRIED_STARTUP)).take(me, pgbench))).toBe('mine');
    expect(nameOf(pool(idle('same', pgbench), idle('plain', NO_CARRIED_STARTUP)).take(me, pgbench))).toBe('same');
    expect(nameOf(pool(idle('older plain', NO_CARRIED_STARTUP), idle('other name', psql)).take(me, pgbench))).toBe('other name');
  });

  it('within each kind, one that needs no reset (reset when its last session ended, or never used) before a newer one another session left', () => {
    const other = {};
    expect(nameOf(pool(idle('reset', pgbench, RESET_FOR_NEXT_SESSION), idle('newer, left by another', pgbench, other)).take(me, pgbench))).toBe('reset');
    expect(nameOf(pool(idle('never used', pgbench), idle('newer, left by another', pgbench, other)).take(me, pgbench))).toBe('never used');
    expect(nameOf(pool(idle('reset, other name', psql, RESET_FOR_NEXT_SESSION), idle('newer, same name', pgbench, other)).take(me, pgbench))).toBe('newer, same name');
    expect(nameOf(pool(idle('reset plain', NO_CARRIED_STARTUP, RESET_FOR_NEXT_SESSION), idle('newer plain, left by another', NO_CARRIED_STARTUP, other)).take(me, pgbench))).toBe('reset plain');
    expect(nameOf(pool(idle('reset', pgbench, RESET_FOR_NEXT_SESSION), idle('mine', pgbench, me)).take(me, pgbench))).toBe('mine');
  });

  it('never one opened with an application_name to a session without one, even one it used last', () => {
    const list = pool(idle('carrying', pgbench, me), idle('plain', NO_CARRIED_STARTUP));
    expect(nameOf(list.take(me, NO_CARRIED_STARTUP))).toBe('plain');
    expect(list.take(me, NO_CARRIED_STARTUP)).toBeUndefined();
    expect(list.length).toBe(1);
    expect(pool(idle('fresh carrying', pgbench)).takeFresh(NO_CARRIED_STARTUP)).toBeUndefined();
    expect(nameOf(pool(idle('fresh carrying', pgbench)).takeFresh(psql))).toBe('fresh carrying');
  });
});

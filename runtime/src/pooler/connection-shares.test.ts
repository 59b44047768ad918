import { describe, expect, it } from 'vitest';
import { defaultSpec } from '../spec/defaults';
import { serverConnectionShares } from './connection-shares';

describe('server connection shares', () => {
  const withMax = (max: number, reserved = 5) => {
    const spec = defaultSpec();
    return { ...spec, postgres: { ...spec.postgres, parameters: { ...spec.postgres.parameters, max_connections: max } }, pooler: { ...spec.pooler, reservedConnections: reserved } };
  };

  it('gives the pooler everything Postgres allows beyond the reserves when no gateway shares the host', () => {
    expect(serverConnectionShares(withMax(200), false)).toEqual({ pooler: 190, gateway: 0 });
  });

  it('splits it with a co-located gateway, the pooler keeping the odd one', () => {
    expect(serverConnectionShares(withMax(200), true)).toEqual({ pooler: 95, gateway: 95 });
    expect(serverConnectionShares(withMax(101), true)).toEqual({ pooler: 46, gateway: 45 });
  });

  it('never exceeds what Postgres allows, and keeps at least one connection for the pooler', () => {
    for (const max of [3, 11, 12, 50, 1000]) {
      const shares = serverConnectionShares(withMax(max), true);
      expect(shares.pooler + shares.gateway).toBeLessThanOrEqual(Math.max(1, max - 10));
      expect(shares.pooler).toBeGreaterThanOrEqual(1);
    }
  });
});

import { describe, expect, it } from 'vitest';
import { cancelTargets, type CancelRouting } from './cancel-routing';

const zones = [
  { zone: 'a', host: 'gateway-a.svc', port: 5432 },
  { zone: 'b', host: 'gateway-b.svc', port: 5432 },
];
const a1 = { zone: 'a', address: '10.0.0.11', port: 5432 };
const a2 = { zone: 'a', address: '10.0.0.12', port: 5432 };
const b1 = { zone: 'b', address: '10.0.0.21', port: 5432 };
const b2 = { zone: 'b', address: '10.0.0.22', port: 5432 };
const asA1: CancelRouting = { self: a1, index: 0, zones };

describe('cancel routing between gateway processes', () => {
  it("a client's cancel for this zone that this process does not hold goes to its siblings", () => {
    expect(cancelTargets(asA1, 0, '192.168.1.5', [a1, a2, b1, b2])).toEqual([{ host: '10.0.0.12', port: 5432 }]);
  });

  it('a cancel a sibling forwarded is not forwarded back', () => {
    expect(cancelTargets(asA1, 0, '10.0.0.12', [a1, a2, b1])).toEqual([]);
    expect(cancelTargets(asA1, 0, '::ffff:10.0.0.12', [a1, a2, b1])).toEqual([]);
  });

  it("another zone's session: every registered process of that zone", () => {
    expect(cancelTargets(asA1, 1, '192.168.1.5', [a1, a2, b1, b2])).toEqual([
      { host: '10.0.0.21', port: 5432 },
      { host: '10.0.0.22', port: 5432 },
    ]);
  });

  it("with no registration (etcd not answered yet) another zone's address from the layout", () => {
    expect(cancelTargets(asA1, 1, '192.168.1.5', [])).toEqual([{ host: 'gateway-b.svc', port: 5432 }]);
  });

  it('a key naming no gateway is dropped', () => {
    expect(cancelTargets(asA1, 7, '192.168.1.5', [a1, a2])).toEqual([]);
  });

  it('one gateway per zone on one host (the local target): a process is never its own sibling', () => {
    const local = { zone: 'a', address: '127.0.0.1', port: 6000 };
    const other = { zone: 'b', address: '127.0.0.1', port: 6100 };
    const routing: CancelRouting = { self: local, index: 0, zones: [{ zone: 'a', host: '127.0.0.1', port: 6000 }, { zone: 'b', host: '127.0.0.1', port: 6100 }] };
    expect(cancelTargets(routing, 0, '127.0.0.1', [local, other])).toEqual([]);
    expect(cancelTargets(routing, 1, '127.0.0.1', [local, other])).toEqual([{ host: '127.0.0.1', port: 6100 }]);
  });
});

import { describe, expect, it } from 'vitest';
import type { ClusterLayout } from '../deployment/layout';
import { dashboardPages, localHosts } from './dashboard-command';

const layoutWith = (gateways: Array<{ zone: string; host: string; metricsPort: number }>) => ({ cluster: 'c', gateways }) as unknown as ClusterLayout;

describe('polygres dashboard', () => {
  it("lists every gateway's page, this machine's first, the others in the layout's order", () => {
    const layout = layoutWith([
      { zone: 'zone-a', host: '10.0.0.1', metricsPort: 8008 },
      { zone: 'zone-b', host: '127.0.0.1', metricsPort: 8009 },
      { zone: 'zone-c', host: 'gw-c.example', metricsPort: 8010 },
    ]);
    expect(dashboardPages(layout, new Set(['127.0.0.1']))).toEqual([
      { zone: 'zone-b', url: 'http://127.0.0.1:8009/', local: true },
      { zone: 'zone-a', url: 'http://10.0.0.1:8008/', local: false },
      { zone: 'zone-c', url: 'http://gw-c.example:8010/', local: false },
    ]);
  });

  it('puts an IPv6 address in brackets, and knows loopback as this machine', () => {
    expect(dashboardPages(layoutWith([{ zone: 'z', host: '::1', metricsPort: 8008 }]), localHosts())).toEqual([{ zone: 'z', url: 'http://[::1]:8008/', local: true }]);
  });
});

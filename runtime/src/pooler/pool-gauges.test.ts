import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { PoolStats } from './pool';
import { POOL_WAIT_BUCKETS, PoolWaitHistogram, registerPoolGauges } from './pool-gauges';

describe('PoolWaitHistogram', () => {
  it('counts waits into the pool-wait buckets, with their sum and count', async () => {
    const registry = new Registry();
    const histogram = new PoolWaitHistogram('test_wait_seconds', 'How long sessions waited', registry);
    // On a bound, between bounds, below the first and above the last.
    for (const seconds of [0, 0.0004, 0.001, 0.003, 0.05, 0.2, 0.2, 4.9, 30, 31, 120]) histogram.observe(seconds);
    const text = await registry.metrics();
    expect(text).toContain('# TYPE test_wait_seconds histogram');
    for (const bound of POOL_WAIT_BUCKETS) expect(text).toContain(`test_wait_seconds_bucket{le="${bound}"}`);
    expect(text).toContain('test_wait_seconds_bucket{le="0.001"} 3');
    expect(text).toContain('test_wait_seconds_bucket{le="30"} 9');
    expect(text).toContain('test_wait_seconds_bucket{le="+Inf"} 11');
    expect(text).toContain('test_wait_seconds_count 11');
  });

  it('starts again from nothing when the registry is reset', async () => {
    const registry = new Registry();
    const histogram = new PoolWaitHistogram('test_wait_seconds', 'How long sessions waited', registry);
    histogram.observe(2);
    expect(await registry.metrics()).toContain('test_wait_seconds_count 1');
    registry.resetMetrics();
    expect(await registry.metrics()).not.toContain('test_wait_seconds_count 1');
    histogram.observe(0.002);
    expect(await registry.metrics()).toContain('test_wait_seconds_count 1');
    expect(await registry.metrics()).toContain('test_wait_seconds_sum 0.002');
  });
});

describe('registerPoolGauges', () => {
  it('reads each pool when scraped: connections, waiting sessions and the running count of pipelined statements', async () => {
    const registry = new Registry();
    let stats: PoolStats = { user: 'app', database: 'shop', active: 3, idle: 1, waiting: 2, opening: 0, pipelined: 7 };
    registerPoolGauges(registry, 'test_', ['user', 'database'], () => [{ labels: { user: stats.user, database: stats.database }, stats }]);
    expect(await registry.metrics()).toContain('test_server_connections_active{user="app",database="shop"} 3');
    expect(await registry.metrics()).toContain('test_sessions_waiting{user="app",database="shop"} 2');
    expect(await registry.metrics()).toContain('test_statements_pipelined_total{user="app",database="shop"} 7');
    // The count is the pool's own, not added up scrape after scrape.
    stats = { ...stats, pipelined: 9 };
    expect(await registry.metrics()).toContain('test_statements_pipelined_total{user="app",database="shop"} 9');
  });
});

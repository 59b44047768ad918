/**
 * Prometheus metrics of pools: gauges of pools (active, idle, waiting) and of pinned sessions,
 * read when scraped, and the histogram of waits for a server connection. Shared by the pooler,
 * whose pools are labelled by user and database, and the gateway, whose pools of co-located
 * instances also carry the node they serve.
 */
import { Counter, Gauge, type Metric, type Registry } from 'prom-client';
import type { PoolStats } from './pool';
import type { PinReason } from './session-state';

/** Buckets (seconds) of the histograms of waits for a server connection, the pooler's and the gateway's. */
export const POOL_WAIT_BUCKETS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30];

/**
 * The histogram of waits for a server connection. A busy pool observes it for nearly every
 * transaction, so it counts into a plain array: no label hashing, label validation and closure
 * per observation as in prom-client's Histogram. It is rendered like one when scraped.
 */
export class PoolWaitHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  /** Observations per bucket (not cumulative); the last one is above every bound. */
  private readonly counts = new Float64Array(POOL_WAIT_BUCKETS.length + 1);
  private sum = 0;

  constructor(readonly name: string, readonly help: string, registry: Registry) {
    registry.registerMetric(this as unknown as Metric);
  }

  observe(seconds: number): void {
    let bucket = 0;
    while (bucket < POOL_WAIT_BUCKETS.length && seconds > POOL_WAIT_BUCKETS[bucket]!) bucket += 1;
    this.counts[bucket]! += 1;
    this.sum += seconds;
  }

  /** What prom-client's registry renders (the shape its own metrics' get() returns). */
  get(): { name: string; help: string; type: 'histogram'; aggregator: 'sum'; values: { metricName: string; labels: Record<string, string | number>; value: number }[] } {
    const values: { metricName: string; labels: Record<string, string | number>; value: number }[] = [];
    let cumulative = 0;
    for (let bucket = 0; bucket <= POOL_WAIT_BUCKETS.length; bucket++) {
      cumulative += this.counts[bucket]!;
      const le = bucket < POOL_WAIT_BUCKETS.length ? POOL_WAIT_BUCKETS[bucket]! : '+Inf';
      values.push({ metricName: `${this.name}_bucket`, labels: { le }, value: cumulative });
    }
    values.push({ metricName: `${this.name}_sum`, labels: {}, value: this.sum });
    values.push({ metricName: `${this.name}_count`, labels: {}, value: cumulative });
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  reset(): void {
    this.counts.fill(0);
    this.sum = 0;
  }
}

export interface LabelledPool {
  readonly labels: Readonly<Record<string, string>>;
  readonly stats: PoolStats;
}

export function registerPoolGauges(registry: Registry, prefix: string, labelNames: readonly string[], pools: () => readonly LabelledPool[]): void {
  const gauge = (name: string, help: string, field: 'active' | 'idle' | 'waiting') =>
    new Gauge({
      name: `${prefix}${name}`,
      help,
      labelNames,
      registers: [registry],
      collect() {
        this.reset();
        for (const { labels, stats } of pools()) this.set(labels, stats[field]);
      },
    });
  gauge('server_connections_active', 'Server connections lent to a session', 'active');
  gauge('server_connections_idle', 'Server connections waiting in the pool', 'idle');
  gauge('sessions_waiting', 'Sessions waiting for a server connection', 'waiting');
  new Counter({
    name: `${prefix}statements_pipelined_total`,
    help: "Statements sent on a busy server connection behind another session's, instead of waiting for a free one",
    labelNames,
    registers: [registry],
    collect() {
      this.reset();
      for (const { labels, stats } of pools()) this.inc(labels, stats.pipelined);
    },
  });
}

export function registerPinnedGauge(registry: Registry, prefix: string, pins: () => ReadonlyMap<PinReason, number>): void {
  new Gauge({
    name: `${prefix}sessions_pinned`,
    help: 'Sessions holding a server connection (or link) between transactions, by reason',
    labelNames: ['reason'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [reason, count] of pins()) this.set({ reason }, count);
    },
  });
}

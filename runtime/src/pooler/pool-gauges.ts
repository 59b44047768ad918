/**
 * Prometheus metrics of pools: gauges of pools (active, idle, waiting) and of pinned sessions,
 * read when scraped, and the histogram of waits for a server connection. Shared by the pooler,
 * whose pools are labelled by user and database, and the gateway, whose pools of co-located
 * instances also carry the node they serve.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import { TallyHistogram } from '../observability/tally-histogram';
import type { PoolStats } from './pool';
import type { PinReason } from '../session/session-state';

/** Buckets (seconds) of the histograms of waits for a server connection, the pooler's and the gateway's. */
export const POOL_WAIT_BUCKETS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30];

/**
 * The histogram of waits for a server connection. A busy pool observes it for nearly every
 * transaction, so it is a TallyHistogram (plain numbers on the hot path, read when scraped).
 */
export class PoolWaitHistogram extends TallyHistogram {
  constructor(name: string, help: string, registry: Registry) {
    super({ name, help, buckets: POOL_WAIT_BUCKETS, registers: [registry] });
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

/** The pooler's Prometheus metrics (prom-client), served at /metrics on its admin port. */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { PoolStats } from './pool';
import type { PinReason } from './session-state';

export class PoolerMetrics {
  readonly registry = new Registry();
  readonly statementCache = new Counter({ name: 'polygres_pooler_prepared_statement_cache_total', help: 'Prepared statements found on (hit) or prepared on (miss) the server connection', labelNames: ['result'], registers: [this.registry] });
  readonly waitSeconds = new Histogram({
    name: 'polygres_pooler_wait_seconds',
    help: 'How long sessions waited for a server connection when none was free',
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30],
    registers: [this.registry],
  });
  readonly clients = new Gauge({ name: 'polygres_pooler_client_connections', help: 'Client sessions connected', registers: [this.registry] });

  constructor(pools: () => PoolStats[], pins: () => Map<PinReason, number>) {
    collectDefaultMetrics({ register: this.registry, prefix: 'polygres_pooler_' });
    const poolGauge = (name: string, help: string, field: keyof PoolStats) =>
      new Gauge({
        name,
        help,
        labelNames: ['user', 'database'],
        registers: [this.registry],
        collect() {
          this.reset();
          for (const stats of pools()) this.set({ user: stats.user, database: stats.database }, stats[field] as number);
        },
      });
    poolGauge('polygres_pooler_server_connections_active', 'Server connections lent to a session', 'active');
    poolGauge('polygres_pooler_server_connections_idle', 'Server connections waiting in the pool', 'idle');
    poolGauge('polygres_pooler_sessions_waiting', 'Sessions waiting for a server connection', 'waiting');
    new Gauge({
      name: 'polygres_pooler_sessions_pinned',
      help: 'Sessions holding a server connection between transactions, by reason',
      labelNames: ['reason'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const [reason, count] of pins()) this.set({ reason }, count);
      },
    });
  }
}

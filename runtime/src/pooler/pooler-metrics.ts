/** The pooler's Prometheus metrics (prom-client), served at /metrics on its admin port. */
import { Counter, Gauge } from 'prom-client';
import { createServiceRegistry } from '../observability/service-registry';
import type { PoolStats } from './pool';
import { PoolWaitHistogram, registerPinnedGauge, registerPoolGauges } from './pool-gauges';
import type { PinReason } from '../session/session-state';
import type { ClientLimits } from '../session/client-limits';
import { registerLimitMetrics } from '../session/limit-metrics';

export class PoolerMetrics {
  readonly registry = createServiceRegistry('pooler');
  readonly statementCache = new Counter({ name: 'polygres_pooler_prepared_statement_cache_total', help: 'Prepared statements found on (hit) or prepared on (miss) the server connection', labelNames: ['result'], registers: [this.registry] });
  readonly waitSeconds = new PoolWaitHistogram('polygres_pooler_wait_seconds', 'How long sessions waited for a server connection when none was free', this.registry);
  readonly clients = new Gauge({ name: 'polygres_pooler_client_connections', help: 'Client sessions connected', registers: [this.registry] });

  constructor(pools: () => PoolStats[], pins: () => Map<PinReason, number>, limits: ClientLimits) {
    registerPoolGauges(this.registry, 'polygres_pooler_', ['user', 'database'], () => pools().map((stats) => ({ labels: { user: stats.user, database: stats.database }, stats })));
    registerPinnedGauge(this.registry, 'polygres_pooler_', pins);
    registerLimitMetrics(this.registry, 'polygres_pooler_', limits);
  }
}

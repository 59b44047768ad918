/** The gateway's Prometheus metrics (prom-client), served at /metrics on its metrics port. */
import type { X509Certificate } from 'node:crypto';
import { Counter, Gauge, Histogram } from 'prom-client';
import { createServiceRegistry } from '../observability/service-registry';
import { TallyHistogram } from '../observability/tally-histogram';
import { PoolWaitHistogram, registerPinnedGauge, registerPoolGauges } from '../pooler/pool-gauges';
import type { PinReason } from '../session/session-state';
import type { ColocatedPoolStats } from './colocated-pools';
import type { ClientLimits } from '../session/client-limits';
import { registerLimitMetrics } from '../session/limit-metrics';

export class GatewayMetrics {
  readonly registry = createServiceRegistry('gateway');
  readonly connections = new Gauge({ name: 'polygres_gateway_client_connections', help: 'Client connections open', labelNames: ['route'], registers: [this.registry] });
  /** Statements each route sent since the last scrape: plain numbers on the hot path, added to the counter when scraped. */
  private readonly unscraped: { readonly route: string; count: number }[] = [];
  readonly statements = new Counter({
    name: 'polygres_gateway_statements_total',
    help: 'Statements sent, by route',
    labelNames: ['route'],
    registers: [this.registry],
    collect: () => {
      for (const tally of this.unscraped) {
        if (tally.count === 0) continue;
        this.statements.inc({ route: tally.route }, tally.count);
        tally.count = 0;
      }
    },
  });
  readonly errors = new Counter({ name: 'polygres_gateway_errors_total', help: 'Errors returned to clients, by SQLSTATE', labelNames: ['sqlstate'], registers: [this.registry] });
  readonly buffered: Gauge;
  readonly bufferWait = new Histogram({
    name: 'polygres_gateway_buffer_wait_seconds',
    help: 'How long sessions waited for a primary (failover buffering)',
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
    registers: [this.registry],
  });

  readonly statementCache = new Counter({ name: 'polygres_gateway_prepared_statement_cache_total', help: 'Prepared statements found on (hit) or prepared on (miss) the server connection or link', labelNames: ['result'], registers: [this.registry] });
  /** Observed per statement: a TallyHistogram, whose series the gateway keeps per route. */
  readonly statementSeconds = new TallyHistogram({
    name: 'polygres_gateway_statement_duration_seconds',
    help: 'Statement cycles by route: from dispatch to a server connection or link until ReadyForQuery (waits for a connection are in the pool-wait histogram)',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly bufferedStatements = new Counter({ name: 'polygres_gateway_buffered_statements_total', help: 'Statements held while no primary served (failover buffering), counted when released or given up', registers: [this.registry] });
  readonly logins = new Counter({ name: 'polygres_gateway_connections_total', help: 'Client logins by TLS (yes, no) and outcome (accepted, auth_failed, refused, error)', labelNames: ['tls', 'outcome'], registers: [this.registry] });
  readonly poolWait = new PoolWaitHistogram('polygres_gateway_pool_wait_seconds', 'How long sessions waited for a server connection of a co-located pool when none was free', this.registry);

  private certificateExpiry: Gauge | undefined;

  /** The serving certificate's expiry, for the certificate-expiring alert (again after each renewal). */
  certificateExpires(certificate: X509Certificate): void {
    this.certificateExpiry ??= new Gauge({ name: 'polygres_tls_certificate_expiry_timestamp_seconds', help: 'When the certificate the gateway serves to TLS clients expires', registers: [this.registry] });
    this.certificateExpiry.set(Date.parse(certificate.validTo) / 1000);
  }

  /** Counts one route's statements (called per statement, so no label lookup). */
  statementCounter(route: string): () => void {
    const tally = { route, count: 0 };
    this.unscraped.push(tally);
    return () => {
      tally.count += 1;
    };
  }

  constructor(bufferedNow: () => number, pools: () => ColocatedPoolStats[], pins: () => Map<PinReason, number>, limits: ClientLimits) {
    this.buffered = new Gauge({
      name: 'polygres_gateway_buffered_sessions',
      help: 'Sessions holding statements while waiting for a primary',
      registers: [this.registry],
      collect() {
        this.set(bufferedNow());
      },
    });
    registerPoolGauges(this.registry, 'polygres_gateway_', ['node', 'user', 'database'], () =>
      pools().map((stats) => ({ labels: { node: stats.node, user: stats.user, database: stats.database }, stats })),
    );
    registerPinnedGauge(this.registry, 'polygres_gateway_', pins);
    registerLimitMetrics(this.registry, 'polygres_gateway_', limits);
  }
}

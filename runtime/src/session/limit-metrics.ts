/**
 * Prometheus metrics of the edge's limits (ClientLimits), read when scraped: connections each
 * limit refused or ended, logins in progress, and the memory budget for client bytes. Shared
 * by the gateway and the pooler, under their own prefixes.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { ClientLimits, LimitReason } from './client-limits';

export function registerLimitMetrics(registry: Registry, prefix: string, limits: ClientLimits): void {
  const reported = new Map<LimitReason, number>();
  const limited = new Counter({
    name: `${prefix}connections_limited_total`,
    help: 'Client connections refused or ended by a limit, by reason (max_client_connections, max_connections_per_user, pending_logins_full, login_timeout, idle_in_transaction_timeout, slow_client)',
    labelNames: ['reason'],
    registers: [registry],
    collect() {
      for (const [reason, count] of limits.counts) {
        const delta = count - (reported.get(reason) ?? 0);
        if (delta > 0) limited.inc({ reason }, delta);
        reported.set(reason, count);
      }
    },
  });
  new Gauge({
    name: `${prefix}pending_logins`,
    help: 'Client connections accepted and not yet logged in',
    registers: [registry],
    collect() {
      this.set(limits.pendingLogins);
    },
  });
  new Gauge({
    name: `${prefix}client_buffer_bytes`,
    help: 'Bytes of client messages held beyond each session’s free share, charged to the memory budget',
    registers: [registry],
    collect() {
      this.set(limits.budget.charged);
    },
  });
  new Gauge({
    name: `${prefix}client_buffer_limit_bytes`,
    help: 'The memory budget for client messages (gateway.limits.clientBufferBytes)',
    registers: [registry],
    collect() {
      this.set(limits.budget.limitBytes);
    },
  });
  new Gauge({
    name: `${prefix}sessions_waiting_for_buffer`,
    help: 'Sessions that stopped reading their client because the memory budget is spent',
    registers: [registry],
    collect() {
      this.set(limits.budget.waiting);
    },
  });
}

/**
 * Every service's Prometheus registry: the default process and Node metrics under their
 * standard names (`process_cpu_seconds_total`, `nodejs_heap_size_used_bytes`, ...) so stock
 * dashboards find them, and a `service` label on every series so one Prometheus job can tell
 * the gateway's from the pooler's and the orchestrator's.
 */
import { Registry, collectDefaultMetrics } from 'prom-client';
import type { PublicHandler } from '../admin/http-server';

export type ServiceName = 'gateway' | 'pooler' | 'orchestrator';

export function createServiceRegistry(service: ServiceName): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  return registry;
}

/** `GET /metrics` of one or more registries, served without a token: no metric carries a secret. */
export function metricsRoute(...registries: Registry[]): Record<string, PublicHandler> {
  return {
    'GET /metrics': async () => ({
      contentType: registries[0]!.contentType,
      body: (await Promise.all(registries.map((registry) => registry.metrics()))).join(''),
    }),
  };
}

/**
 * Where Prometheus scrapes each Polygres service: its HTTP port (the gateway's metrics port,
 * the pooler's and the orchestrator's admin port), declared by name on the container, serving
 * `GET /metrics` without a token, over HTTPS with the cluster's internal certificate (every
 * admin API is TLS on Kubernetes). The pod annotations, the PodMonitors and the NetworkPolicies
 * all read it from here.
 */
import type { Component } from './naming';
import { PORTS } from './settings';

export type ScrapedComponent = Extract<Component, 'gateway' | 'postgres' | 'orchestrator'>;

export const SCRAPED_COMPONENTS: readonly ScrapedComponent[] = ['gateway', 'postgres', 'orchestrator'];

export const METRICS_PATH = '/metrics';
/** Every Polygres HTTP port serves TLS (the internal certificate) on Kubernetes. */
export const METRICS_SCHEME = 'https';

/** The named container port of each service's HTTP server. */
export const HTTP_PORTS: Readonly<Record<ScrapedComponent, { readonly name: string; readonly port: number }>> = {
  gateway: { name: 'metrics', port: PORTS.gatewayMetrics },
  postgres: { name: 'admin', port: PORTS.poolerAdmin },
  orchestrator: { name: 'admin', port: PORTS.orchestratorAdmin },
};

/** The annotations a Prometheus scrape configuration for Kubernetes pods looks for. */
export function scrapeAnnotations(component: ScrapedComponent): Record<string, string> {
  return {
    'prometheus.io/scrape': 'true',
    'prometheus.io/port': String(HTTP_PORTS[component].port),
    'prometheus.io/path': METRICS_PATH,
    'prometheus.io/scheme': METRICS_SCHEME,
  };
}

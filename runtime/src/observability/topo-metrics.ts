/**
 * etcd calls as metrics: every topology-store call a service makes is timed and its failures
 * counted, by operation (the store's method name). A slow or failing etcd shows here before an
 * election stalls on it.
 */
import { Counter, Histogram, Registry } from 'prom-client';
import type { TopoStore } from '../topo/topo-store';
import type { ServiceName } from './service-registry';

/**
 * The store, timed, and the registry its metrics are in: a registry of its own, because a
 * service opens its store before the rest of its metrics exist (metricsRoute serves both).
 */
export function instrumentTopoStore(store: TopoStore, service: ServiceName): { store: TopoStore; registry: Registry } {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  const duration = new Histogram({
    name: 'polygres_etcd_request_duration_seconds',
    help: 'Topology-store (etcd) calls, by operation; watches count their setup only',
    labelNames: ['operation'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 3],
    registers: [registry],
  });
  const errors = new Counter({ name: 'polygres_etcd_request_errors_total', help: 'Topology-store (etcd) calls that failed, by operation', labelNames: ['operation'], registers: [registry] });
  const timed = new Proxy(store, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function' || property === 'close' || typeof property !== 'string') return value;
      const operation = property;
      return (...args: unknown[]) => {
        const stop = duration.startTimer({ operation });
        const result: unknown = (value as (...inner: unknown[]) => unknown).apply(target, args);
        if (!(result instanceof Promise)) return result;
        return result.then(
          (answer: unknown) => {
            stop();
            return answer;
          },
          (error: unknown) => {
            stop();
            errors.inc({ operation });
            throw error;
          },
        );
      };
    },
  });
  return { store: timed, registry };
}

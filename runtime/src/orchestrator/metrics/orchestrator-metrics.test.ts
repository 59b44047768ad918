import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { MemoryTopoStore } from '../../topo/memory-topo-store';
import type { Problem } from '../analyzers';
import { ProblemMetrics } from './orchestrator-metrics';
import { instrumentTopoStore } from '../../observability/topo-metrics';

const problem = (key: string): Problem => ({ key, description: key, graceMs: 0, fix: { kind: 'report' } });

describe('orchestrator metrics', () => {
  it('counts a problem once when it appears, and again only after it went away', async () => {
    const registry = new Registry();
    const metrics = new ProblemMetrics(registry);
    metrics.observe([problem('standby-down:b-1'), problem('standby-down:c-1')]);
    metrics.observe([problem('standby-down:b-1')]);
    metrics.observe([]);
    metrics.observe([problem('standby-down:b-1')]);
    const text = await registry.metrics();
    expect(text).toContain('polygres_orchestrator_problems_detected_total{problem="standby-down"} 3');
    expect(text).toContain('polygres_orchestrator_problems{problem="standby-down"} 1');
  });

  it('times every etcd call and counts the failures, by operation', async () => {
    class FailingHistory extends MemoryTopoStore {
      override async listGateways(): Promise<never> {
        throw new Error('etcd is down');
      }
    }
    const { store, registry } = instrumentTopoStore(new FailingHistory(), 'orchestrator');
    await store.getRule();
    await expect(store.listGateways()).rejects.toThrow('etcd is down');
    const text = await registry.metrics();
    expect(text).toContain('polygres_etcd_request_duration_seconds_count{service="orchestrator",operation="getRule"} 1');
    expect(text).toContain('polygres_etcd_request_errors_total{operation="listGateways",service="orchestrator"} 1');
  });
});

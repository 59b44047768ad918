/**
 * An orchestrator's /metrics: the cluster view every orchestrator exports alike (from its
 * latest snapshot, the history and the backup repository, read when scraped), and what this
 * orchestrator itself saw and did: problems, actions, etcd calls.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { BackupRecord } from '../../backup/pgbackrest-runner';
import type { Problem } from '../analyzers';
import type { Snapshot } from '../snapshot';
import type { HistoryEntry } from '../../topo/records';
import { type Sample, clusterSamples } from './cluster-samples';
import { CLUSTER_METRICS } from './cluster-metric-catalog';

export interface ClusterSources {
  readonly snapshot: () => Snapshot | undefined;
  readonly history: () => Promise<readonly HistoryEntry[]>;
  readonly backups: () => Promise<readonly BackupRecord[] | undefined>;
  readonly zoneOf: ReadonlyMap<string, string>;
}

/** One computation serves every metric of one scrape (prom-client collects them together). */
const SAMPLES_REUSE_MS = 1_000;

export function registerClusterMetrics(registry: Registry, sources: ClusterSources): void {
  let cached: { at: number; samples: Promise<Sample[]> } | undefined;
  const samples = (): Promise<Sample[]> => {
    if (cached && Date.now() - cached.at < SAMPLES_REUSE_MS) return cached.samples;
    const computed = (async () => {
      const [history, backups] = await Promise.all([sources.history().catch(() => []), sources.backups().catch(() => undefined)]);
      return clusterSamples({ snapshot: sources.snapshot(), history, backups, zoneOf: sources.zoneOf, now: Date.now() });
    })();
    cached = { at: Date.now(), samples: computed };
    return computed;
  };
  for (const { name, help, type, labelNames } of CLUSTER_METRICS) {
    const options = { name, help, labelNames: [...labelNames], registers: [registry] };
    if (type === 'counter') {
      new Counter({
        ...options,
        async collect() {
          this.reset();
          for (const sample of await samples()) if (sample.name === name) this.inc(sample.labels, sample.value);
        },
      });
    } else {
      new Gauge({
        ...options,
        async collect() {
          this.reset();
          for (const sample of await samples()) if (sample.name === name) this.set(sample.labels, sample.value);
        },
      });
    }
  }
}

/** The problems the analyzers see now, and each one's first sighting, by kind (the key before its `:`). */
export class ProblemMetrics {
  private readonly current: Gauge;
  private readonly detected: Counter;
  private seen = new Set<string>();

  constructor(registry: Registry) {
    this.current = new Gauge({ name: 'polygres_orchestrator_problems', help: 'Problems the analyzers saw in the last snapshot, by kind', labelNames: ['problem'], registers: [registry] });
    this.detected = new Counter({ name: 'polygres_orchestrator_problems_detected_total', help: 'Problems the analyzers began to see, by kind', labelNames: ['problem'], registers: [registry] });
  }

  observe(problems: readonly Problem[]): void {
    const keys = new Set(problems.map((problem) => problem.key));
    this.current.reset();
    for (const key of keys) {
      const problem = kindOf(key);
      this.current.inc({ problem });
      if (!this.seen.has(key)) this.detected.inc({ problem });
    }
    this.seen = keys;
  }
}

export function actionCounter(registry: Registry): Counter<'kind' | 'outcome'> {
  return new Counter({ name: 'polygres_orchestrator_actions_total', help: 'Actions this orchestrator recorded in the history, by kind and outcome', labelNames: ['kind', 'outcome'], registers: [registry] });
}

function kindOf(key: string): string {
  const colon = key.indexOf(':');
  return colon < 0 ? key : key.slice(0, colon);
}

/**
 * A Prometheus histogram for the data path's hot path. prom-client's Histogram validates and
 * hashes the labels on every observation, a child from `labels()` included: in a CPU profile of
 * a Bun gateway under pgbench that was 4–5 % of its samples, more than classifying the
 * statement. Here each series is a few plain numbers, found once (`series(labels)`) and kept
 * by the caller, and `observe` is a bucket search and three additions. The registry reads the
 * numbers when scraped, in the same exposition as prom-client's (cumulative `_bucket` series
 * with `le`, then `_sum` and `_count`), so dashboards and alerts see no difference.
 */
import type { Registry } from 'prom-client';

/** One label set's numbers. */
export class HistogramSeries {
  /** Observations per bucket, not cumulative (the last slot is above every bound). */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(
    readonly labels: Readonly<Record<string, string>>,
    private readonly bounds: readonly number[],
  ) {
    this.counts = new Float64Array(bounds.length + 1);
  }

  observe(value: number): void {
    if (!Number.isFinite(value)) return; // as prom-client refuses one: a clock gone wrong, not a duration
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && value > bounds[i]!) i++;
    this.counts[i]! += 1;
    this.sum += value;
    this.count += 1;
  }
}

interface ExposedValue {
  readonly value: number;
  readonly labels: Record<string, string | number>;
  readonly metricName: string;
}

export interface TallyHistogramOptions {
  readonly name: string;
  readonly help: string;
  /** Upper bounds, ascending. */
  readonly buckets: readonly number[];
  readonly registers: readonly Registry[];
}

export class TallyHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  readonly name: string;
  readonly help: string;
  private readonly bounds: readonly number[];
  private readonly all = new Map<string, HistogramSeries>();
  private unlabelled: HistogramSeries | undefined;

  constructor(options: TallyHistogramOptions) {
    this.name = options.name;
    this.help = options.help;
    this.bounds = [...options.buckets];
    // The registry takes any object that answers get() like prom-client's own metrics.
    for (const registry of options.registers) registry.registerMetric(this as unknown as Parameters<Registry['registerMetric']>[0]);
  }

  /** The series of `labels`, created at the first ask: keep it, and observe on it. */
  series(labels: Readonly<Record<string, string>> = {}): HistogramSeries {
    const key = JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1)));
    let series = this.all.get(key);
    if (!series) {
      series = new HistogramSeries({ ...labels }, this.bounds);
      this.all.set(key, series);
    }
    return series;
  }

  /** One observation without labels (a histogram of one series, found once). */
  observe(value: number): void {
    (this.unlabelled ??= this.series()).observe(value);
  }

  async get(): Promise<{ name: string; help: string; type: string; aggregator: string; values: ExposedValue[] }> {
    const values: ExposedValue[] = [];
    for (const series of this.all.values()) {
      let cumulative = 0;
      this.bounds.forEach((bound, i) => {
        cumulative += series.counts[i]!;
        values.push({ value: cumulative, labels: { ...series.labels, le: bound }, metricName: `${this.name}_bucket` });
      });
      values.push({ value: series.count, labels: { ...series.labels, le: '+Inf' }, metricName: `${this.name}_bucket` });
      values.push({ value: series.sum, labels: { ...series.labels }, metricName: `${this.name}_sum` });
      values.push({ value: series.count, labels: { ...series.labels }, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  /** Forgets every observation (the registry's resetMetrics); series handed out keep counting from zero. */
  reset(): void {
    for (const series of this.all.values()) {
      series.counts.fill(0);
      series.sum = 0;
      series.count = 0;
    }
  }
}

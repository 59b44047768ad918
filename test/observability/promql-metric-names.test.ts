/** The PromQL tokenizer behind metricNamesUsedByDeployFiles, on the constructs the deploy files use. */
import { describe, expect, it } from 'vitest';
import { histogramBaseName, promqlSeriesNames } from '../support/promql-metric-names';

const names = (expr: string) => promqlSeriesNames(expr).sort();

describe('promqlSeriesNames', () => {
  it('reads a bare name and a name with matchers, but no label name or value', () => {
    expect(names('polygres_term')).toEqual(['polygres_term']);
    expect(names('polygres_primary_changes_total{reason="failover", zone=~"a|b"}')).toEqual(['polygres_primary_changes_total']);
    expect(names('{__name__="x"} or process_cpu_seconds_total{service!~"up|sum"}')).toEqual(['process_cpu_seconds_total']);
  });

  it('skips functions, aggregations, grouping labels, ranges, durations, numbers and Grafana variables', () => {
    expect(names('histogram_quantile(0.99, sum by (instance, le) (rate(polygres_pooler_wait_seconds_bucket[$__rate_interval])))'))
      .toEqual(['polygres_pooler_wait_seconds_bucket']);
    expect(names('max(polygres_instance_lsn_bytes) - max(polygres_instance_lsn_bytes offset 1h30m) > 16777216 and on () time() > 1e3'))
      .toEqual(['polygres_instance_lsn_bytes']);
    expect(names('sum(rate(process_cpu_seconds_total[5m:1m])) without (pod) * 0x10')).toEqual(['process_cpu_seconds_total']);
    expect(names('label_replace(polygres_term, "dst", "$1", "src", "(polygres_fake)")')).toEqual(['polygres_term']);
  });

  it('reads both sides of binary and set operators, and skips group_left labels', () => {
    expect(names('(up == 0) + on (job, instance) group_left (service) 0 * max by (job, instance, service) (last_over_time(process_start_time_seconds{service=~"gateway"}[1d]))'))
      .toEqual(['process_start_time_seconds', 'up']);
    expect(names('max(a_total) < max(b) unless max(c) OR d AND e')).toEqual(['a_total', 'b', 'c', 'd', 'e']);
  });

  it('names a histogram by its base name', () => {
    expect(histogramBaseName('polygres_gateway_pool_wait_seconds_bucket')).toBe('polygres_gateway_pool_wait_seconds');
    expect(histogramBaseName('polygres_gateway_statement_duration_seconds_count')).toBe('polygres_gateway_statement_duration_seconds');
    expect(histogramBaseName('polygres_etcd_request_duration_seconds_sum')).toBe('polygres_etcd_request_duration_seconds');
    expect(histogramBaseName('polygres_primary_changes_total')).toBe('polygres_primary_changes_total');
  });
});

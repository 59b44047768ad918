import { Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { TallyHistogram } from './tally-histogram';

const BUCKETS = [0.0005, 0.001, 0.01, 0.5, 10];
// On a bound, between bounds, below the first, above the last, and repeated.
const OBSERVED: [string, number][] = [
  ['primary', 0],
  ['primary', 0.0005],
  ['primary', 0.0007],
  ['replica', 0.003],
  ['primary', 0.5],
  ['primary', 0.5],
  ['replica', 11],
  ['primary', 120],
];

/** Each exposed line as series → value, label order aside (Prometheus does not read it). */
function exposition(text: string): Map<string, string> {
  const lines = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = /^(\w+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) continue;
    const labels = (match[2] ?? '').split(',').filter(Boolean).sort().join(',');
    lines.set(`${match[1]}{${labels}}`, match[3]!);
  }
  return lines;
}

describe('TallyHistogram', () => {
  it("exposes what prom-client's Histogram exposes for the same observations", async () => {
    const theirs = new Registry();
    theirs.setDefaultLabels({ service: 'gateway' });
    const reference = new Histogram({ name: 'test_seconds', help: 'Test', labelNames: ['route'], buckets: BUCKETS, registers: [theirs] });
    const ours = new Registry();
    ours.setDefaultLabels({ service: 'gateway' });
    const tally = new TallyHistogram({ name: 'test_seconds', help: 'Test', buckets: BUCKETS, registers: [ours] });
    const series = { primary: tally.series({ route: 'primary' }), replica: tally.series({ route: 'replica' }) };
    for (const [route, seconds] of OBSERVED) {
      reference.observe({ route }, seconds);
      series[route as 'primary' | 'replica'].observe(seconds);
    }
    const expected = await theirs.metrics();
    const actual = await ours.metrics();
    expect(actual).toContain('# TYPE test_seconds histogram');
    expect(actual).toContain('# HELP test_seconds Test');
    expect(exposition(actual)).toEqual(exposition(expected));
    expect(exposition(actual).get('test_seconds_bucket{le="0.001",route="primary",service="gateway"}')).toBe('3');
    expect(exposition(actual).get('test_seconds_count{route="primary",service="gateway"}')).toBe('6');
  });

  it('counts observations without labels into one series, and skips values that are no number', async () => {
    const registry = new Registry();
    const tally = new TallyHistogram({ name: 'test_seconds', help: 'Test', buckets: BUCKETS, registers: [registry] });
    for (const seconds of [0.002, Number.NaN, 0.02, Number.POSITIVE_INFINITY]) tally.observe(seconds);
    const lines = exposition(await registry.metrics());
    expect(lines.get('test_seconds_count{}')).toBe('2');
    expect(lines.get('test_seconds_sum{}')).toBe('0.022');
    expect(lines.get('test_seconds_bucket{le="0.01"}')).toBe('1');
  });

  it('gives the same series for the same labels, whatever their order', () => {
    const tally = new TallyHistogram({ name: 'test_seconds', help: 'Test', buckets: BUCKETS, registers: [] });
    expect(tally.series({ a: '1', b: '2' })).toBe(tally.series({ b: '2', a: '1' }));
    expect(tally.series({ a: '1' })).not.toBe(tally.series({ a: '2' }));
  });

  it('counts from zero after a reset, on the series already handed out', async () => {
    const registry = new Registry();
    const tally = new TallyHistogram({ name: 'test_seconds', help: 'Test', buckets: BUCKETS, registers: [registry] });
    const series = tally.series({ route: 'primary' });
    series.observe(2);
    registry.resetMetrics();
    series.observe(0.002);
    const lines = exposition(await registry.metrics());
    expect(lines.get('test_seconds_count{route="primary"}')).toBe('1');
    expect(lines.get('test_seconds_sum{route="primary"}')).toBe('0.002');
    expect(lines.get('test_seconds_bucket{le="0.01",route="primary"}')).toBe('1');
    expect(lines.get('test_seconds_bucket{le="0.001",route="primary"}')).toBe('0');
  });
});

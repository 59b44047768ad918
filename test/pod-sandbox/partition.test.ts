import { describe, expect, it } from 'vitest';
import { partitionFilters } from './partition';

/** The filters a partition puts in each namespace: who may not hear whom, and how much of it. */
describe('partition filters', () => {
  const pods = [
    { netns: 'a', ip: '10.1.1.1', zone: 'zone-a' },
    { netns: 'b', ip: '10.1.1.2', zone: 'zone-b' },
    { netns: 'c', ip: '10.1.1.3', zone: 'zone-c' },
    { netns: 'node-pod', ip: '10.1.1.9', zone: undefined },
  ];

  it('a cut: the zone and the others drop each other both ways, and pods without a zone are never cut', () => {
    const filters = partitionFilters(pods, { zones: new Set(['zone-a']), direction: 'both' });
    expect(filters.get('a')).toEqual({ dropTo: ['10.1.1.2', '10.1.1.3'], dropFrom: ['10.1.1.2', '10.1.1.3'] });
    expect(filters.get('b')).toEqual({ dropTo: ['10.1.1.1'], dropFrom: ['10.1.1.1'] });
    expect(filters.has('node-pod')).toBe(false);
  });

  it("one way ('out'): only what the cut zone sends is lost", () => {
    const filters = partitionFilters(pods, { zones: new Set(['zone-a']), direction: 'out' });
    expect(filters.get('a')).toEqual({ dropTo: ['10.1.1.2', '10.1.1.3'], dropFrom: [] });
    expect(filters.get('c')).toEqual({ dropTo: [], dropFrom: ['10.1.1.1'] });
  });

  it('a lossy link: the same filters on a share of the packets; 100% is a cut', () => {
    expect(partitionFilters(pods, { zones: new Set(['zone-a']), direction: 'both', lossPercent: 33 }).get('b')).toEqual({ dropTo: ['10.1.1.1'], dropFrom: ['10.1.1.1'], lossPercent: 33 });
    expect(partitionFilters(pods, { zones: new Set(['zone-a']), direction: 'both', lossPercent: 100 }).get('b')).toEqual({ dropTo: ['10.1.1.1'], dropFrom: ['10.1.1.1'] });
    expect(partitionFilters(pods, undefined).size).toBe(0);
  });
});

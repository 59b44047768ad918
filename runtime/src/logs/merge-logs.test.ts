import { describe, expect, it } from 'vitest';
import { mergeByTime } from './merge-logs';

const stream = (name: string, times: number[]) => times.map((time, index) => ({ time, id: `${name}${index}` }));

describe('mergeByTime', () => {
  it('orders items from several streams by time', () => {
    const merged = [...mergeByTime([stream('a', [1, 4, 7]), stream('b', [2, 3, 9]), stream('c', []), stream('d', [5])])];
    expect(merged.map((item) => item.id)).toEqual(['a0', 'b0', 'b1', 'a1', 'd0', 'a2', 'b2']);
  });

  it("keeps each stream's own order where its times go backwards", () => {
    const merged = [...mergeByTime([stream('a', [5, 1, 6]), stream('b', [2, 3])])];
    expect(merged.map((item) => item.id)).toEqual(['b0', 'b1', 'a0', 'a1', 'a2']);
  });

  it('on equal times goes on with the stream that gave the last item, so lines that belong together stay together', () => {
    // b's three lines share a time (an error and its STATEMENT lines); a's line at that time waits.
    const merged = [...mergeByTime([stream('a', [1, 3, 3]), stream('b', [2, 3, 3, 3])])];
    expect(merged.map((item) => item.id)).toEqual(['a0', 'b0', 'b1', 'b2', 'b3', 'a1', 'a2']);
  });

  it('pulls lazily: no stream is read ahead of what is printed', () => {
    let pulled = 0;
    function* counted() {
      for (let time = 0; time < 1_000_000; time++) {
        pulled += 1;
        yield { time };
      }
    }
    const merged = mergeByTime([counted(), stream('b', [10])]);
    for (let n = 0; n < 5; n++) merged.next();
    expect(pulled).toBe(5);
  });
});

import { describe, expect, it } from 'vitest';
import { acknowledgerViolations } from './acknowledger-check';
import type { Acknowledgement } from './ledger-writer';
import type { Tenure } from './rule-recorder';

const tenures: Tenure[] = [
  { term: 1, primary: 'a', from: 1_000, until: 5_000 },
  { term: 2, primary: 'b', from: 5_000, until: Number.POSITIVE_INFINITY },
];
const ack = (id: number, server: string, timeline: number, sentAt: number, at: number): Acknowledgement => ({ id, server, timeline, sentAt, at, term: 99 });

describe('the acknowledger check', () => {
  it('accepts each term primary’s acknowledgements, a write sent in one term and answered in the next included', () => {
    const acknowledged = [ack(1, 'a', 1, 1_100, 1_200), ack(2, 'a', 1, 4_900, 5_300), ack(3, 'b', 2, 5_100, 5_200), ack(4, 'b', 2, 4_000, 6_000)];
    expect(acknowledgerViolations([{ name: 'w', acknowledged }], tenures)).toEqual([]);
  });

  it('catches a deposed primary that takes a write after the next term was decided, whatever term it reports', () => {
    const violations = acknowledgerViolations([{ name: 'w', acknowledged: [ack(1, 'a', 1, 5_500, 5_600)] }], tenures);
    expect(violations).toHaveLength(1);
    expect(violations[0]).toContain('w #1: acknowledged by a, which was not the primary of any term');
  });

  it('catches an instance that was never primary', () => {
    expect(acknowledgerViolations([{ name: 'w', acknowledged: [ack(1, 'c', 2, 5_500, 5_600)] }], tenures)[0]).toContain('acknowledged by c');
  });

  it('catches two histories: two instances acknowledging on one timeline, even with no tenures to compare with', () => {
    const violations = acknowledgerViolations([{ name: 'w', acknowledged: [ack(1, 'a', 2, 5_100, 5_200)] }, { name: 'v', acknowledged: [ack(2, 'b', 2, 5_100, 5_200)] }]);
    expect(violations).toEqual(['timeline 2 has acknowledgements from a and b: two histories']);
  });

  it('checks a long run’s acknowledgements in one pass', () => {
    // 300,000 acknowledgements over 200 terms, as a long chaos run makes: a quadratic check would not finish.
    const many: Tenure[] = Array.from({ length: 200 }, (_, term) => ({ term, primary: `i${term % 3}`, from: term * 10_000, until: (term + 1) * 10_000 }));
    const acknowledged = Array.from({ length: 300_000 }, (_, id) => {
      const term = Math.floor(id / 1_500);
      return ack(id, `i${term % 3}`, term, term * 10_000 + (id % 1_500), term * 10_000 + (id % 1_500) + 1);
    });
    expect(acknowledgerViolations([{ name: 'w', acknowledged }], many)).toEqual([]);
  });

  it('catches an instance going back to an older timeline', () => {
    const violations = acknowledgerViolations([{ name: 'w', acknowledged: [ack(1, 'a', 3, 1_100, 1_200), ack(2, 'a', 1, 1_300, 1_400)] }]);
    expect(violations).toEqual(['a acknowledged #2 on timeline 1 after #1 on timeline 3']);
  });
});

import { describe, expect, it } from 'vitest';
import { InvalidRequestError } from '../util/domain-errors';
import { parseSince } from './parse-since';

const now = Date.parse('2026-12-01T21:30:00.000Z');

describe('parseSince', () => {
  it('reads how far back: seconds, minutes, hours, days', () => {
    expect(parseSince('30s', now)).toBe(now - 30_000);
    expect(parseSince('10m', now)).toBe(now - 600_000);
    expect(parseSince('2h', now)).toBe(now - 7_200_000);
    expect(parseSince('1.5h', now)).toBe(now - 5_400_000);
    expect(parseSince('1d', now)).toBe(now - 86_400_000);
  });

  it('reads an ISO time', () => {
    expect(parseSince('2026-12-01T21:00:00Z', now)).toBe(Date.parse('2026-12-01T21:00:00Z'));
    expect(parseSince('2026-12-01T22:00:00+01:00', now)).toBe(Date.parse('2026-12-01T21:00:00Z'));
  });

  it('refuses anything else, saying what it takes', () => {
    for (const bad of ['10', '10x', 'yesterday', '-5m', '2026-13-45', '']) {
      expect(() => parseSince(bad, now), bad).toThrow(InvalidRequestError);
    }
    expect(() => parseSince('10', now)).toThrow('"10" is neither a duration nor a time: give how far back (30s, 10m, 2h, 1d) or an ISO time (2026-12-01T21:00:00Z)');
  });
});

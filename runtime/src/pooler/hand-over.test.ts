import { describe, expect, it } from 'vitest';
import { handsOverOnStop } from './hand-over';

describe('hand-over on stop', () => {
  it('is on only where the target asks for it (Kubernetes), never by default', () => {
    expect(handsOverOnStop({ POLYGRES_HAND_OVER_ON_STOP: '1' })).toBe(true);
    expect(handsOverOnStop({})).toBe(false);
    expect(handsOverOnStop({ POLYGRES_HAND_OVER_ON_STOP: '0' })).toBe(false);
  });
});

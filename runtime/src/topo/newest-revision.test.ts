import { describe, expect, it } from 'vitest';
import { NewestRevision } from './newest-revision';

describe('NewestRevision', () => {
  it('passes a value read before a change and answered after it only if nothing newer came first', () => {
    const gate = new NewestRevision();
    // The watch's event for revision 12 arrives first; the read answered with revision 9 after it.
    expect(gate.admits('12')).toBe(true);
    expect(gate.admits('9')).toBe(false);
    // A later change passes; the same revision again (a read after the event it matches) too.
    expect(gate.admits('15')).toBe(true);
    expect(gate.admits('15')).toBe(true);
    expect(gate.admits('14')).toBe(false);
  });

  it('orders revisions as numbers, not as the strings etcd sends them as', () => {
    const gate = new NewestRevision();
    expect(gate.admits('100')).toBe(true);
    expect(gate.admits('99')).toBe(false);
    expect(gate.admits('9007199254740993')).toBe(true);
    expect(gate.admits('9007199254740992')).toBe(false);
  });
});

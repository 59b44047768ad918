/**
 * Acting on evidence, not on one bad sample (ARCHITECTURE.md, control path): a problem must be seen continuously
 * for a grace period — plus a per-orchestrator jitter, so several orchestrators rarely race —
 * before it is acted on. A problem not seen in a snapshot is forgotten.
 */
export class EvidenceTracker {
  private readonly firstSeen = new Map<string, number>();
  private readonly jitterMs: number;

  constructor(maxJitterMs: number) {
    this.jitterMs = Math.floor(Math.random() * maxJitterMs);
  }

  /** Call once per snapshot with every problem key observed in it. */
  observe(keys: Iterable<string>, now: number): void {
    const seen = new Set(keys);
    for (const key of this.firstSeen.keys()) if (!seen.has(key)) this.firstSeen.delete(key);
    for (const key of seen) if (!this.firstSeen.has(key)) this.firstSeen.set(key, now);
  }

  /** True once `key` has been observed continuously for `graceMs` (+ jitter). */
  ripe(key: string, graceMs: number, now: number): boolean {
    const since = this.firstSeen.get(key);
    return since !== undefined && now - since >= graceMs + this.jitterMs;
  }

  /** When `key` was first observed in the current unbroken run of sightings. */
  since(key: string): number | undefined {
    return this.firstSeen.get(key);
  }

  forget(key: string): void {
    this.firstSeen.delete(key);
  }
}

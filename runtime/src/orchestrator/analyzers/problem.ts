import type { Snapshot } from '../snapshot';

/** What an orchestrator does about a problem once its evidence has held for the grace period. */
export type Fix =
  /** `exclude`: instances that must not win (a switchover's old primary, when taking it over). */
  | { readonly kind: 'failover'; readonly reason: string; readonly exclude?: readonly string[] }
  | { readonly kind: 'rejoin'; readonly instance: string }
  | { readonly kind: 'complete-bootstrap' }
  | { readonly kind: 'backup'; readonly type: 'full' | 'diff' | 'incr' }
  /** Reported in status only: the pooler heals it, or an operator must. */
  | { readonly kind: 'report' };

export interface Problem {
  /** Stable identity across snapshots, for the evidence tracker. */
  readonly key: string;
  readonly description: string;
  readonly graceMs: number;
  readonly fix: Fix;
}

/** One problem, one file: each looks at a snapshot and reports what it sees. */
export type Analyzer = (snapshot: Snapshot) => Problem[];

/** The serving primary and its pooler's report, or nothing when no rule is serving. */
export function servingPrimary(snapshot: Snapshot) {
  const rule = snapshot.rule?.value;
  if (!rule || rule.status !== 'serving') return undefined;
  return { rule, name: rule.primary, status: snapshot.statuses.get(rule.primary) };
}

/** The standbys of a serving rule whose primary is healthy, with their reports (undefined: unreachable). */
export function standbysOfHealthyPrimary(snapshot: Snapshot) {
  const primary = servingPrimary(snapshot);
  if (!primary?.status?.healthy) return { primary, standbys: [] };
  const standbys = primary.rule.members.filter((name) => name !== primary.name).map((name) => ({ name, status: snapshot.statuses.get(name) }));
  return { primary, standbys };
}

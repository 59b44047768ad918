/**
 * Which recruit becomes primary (ARCHITECTURE.md, control path 4): the highest rule term it has seen, then the
 * most WAL, then preferences — able to realise the policy, asked for by name, same zone as
 * the old primary, declaration order. Term and WAL come first because the winner must hold
 * every acknowledged commit; preferences only break ties.
 */
import { parseLsn } from './lsn';
import type { DurabilityPolicy, PolicyNode } from './policy';

export interface CandidateReport {
  readonly name: string;
  readonly zone: string;
  /** Highest rule term in the node's polygres.rule_history. */
  readonly ruleTerm: number;
  /** Highest WAL position the node holds (received or replayed). */
  readonly lsn: string | null;
  /** Postgres answers and could be promoted. */
  readonly promotable: boolean;
}

export interface CandidatePreferences {
  readonly policy: DurabilityPolicy;
  readonly members: readonly PolicyNode[];
  /** Asked for by the operator (switchover --to). */
  readonly preferred?: string;
  readonly preferredZone?: string;
  /** Never choose these (the primary being switched away from). */
  readonly exclude?: readonly string[];
}

export interface CandidateChoice {
  readonly winner: CandidateReport | undefined;
  /** When the most advanced node cannot be promoted: nobody else may win in its place. */
  readonly blockedBy: CandidateReport | undefined;
}

export function chooseCandidate(reports: readonly CandidateReport[], preferences: CandidatePreferences): CandidateChoice {
  const eligible = reports.filter((report) => !preferences.exclude?.includes(report.name));
  if (eligible.length === 0) return { winner: undefined, blockedBy: undefined };
  const ranked = [...eligible].sort((a, b) => compare(a, b, preferences));
  const best = ranked[0]!;
  // Nodes that hold less than the best may lack acknowledged commits: they cannot win.
  const equals = ranked.filter((report) => report.ruleTerm === best.ruleTerm && parseLsn(report.lsn) === parseLsn(best.lsn));
  const winner = equals.find((report) => report.promotable);
  if (!winner) return { winner: undefined, blockedBy: best };
  // One whose Postgres cannot answer reports the rule term its pooler last read, which may be
  // lower than the rule its WAL holds (a pooler restarted meanwhile read none): ranked by that
  // term it could fall behind a winner that lacks WAL it holds. Its WAL end is exact
  // (postgres/wal-end.ts), so whatever its term, no winner may reach less far.
  const ahead = ranked.find((report) => !report.promotable && parseLsn(report.lsn) > parseLsn(winner.lsn));
  return ahead ? { winner: undefined, blockedBy: ahead } : { winner, blockedBy: undefined };
}

function compare(a: CandidateReport, b: CandidateReport, preferences: CandidatePreferences): number {
  if (a.ruleTerm !== b.ruleTerm) return b.ruleTerm - a.ruleTerm;
  const lsnA = parseLsn(a.lsn);
  const lsnB = parseLsn(b.lsn);
  if (lsnA !== lsnB) return lsnA > lsnB ? -1 : 1;
  for (const prefer of preferenceOrder(preferences)) {
    const diff = Number(prefer(b)) - Number(prefer(a));
    if (diff !== 0) return diff;
  }
  return memberIndex(a, preferences) - memberIndex(b, preferences);
}

function preferenceOrder(preferences: CandidatePreferences): ((report: CandidateReport) => boolean)[] {
  const node = (report: CandidateReport) => preferences.members.find((m) => m.name === report.name) ?? report;
  return [
    (report) => report.promotable,
    (report) => preferences.policy.syncConfig(node(report), preferences.members) !== undefined,
    (report) => report.name === preferences.preferred,
    (report) => report.zone === preferences.preferredZone,
  ];
}

function memberIndex(report: CandidateReport, preferences: CandidatePreferences): number {
  const index = preferences.members.findIndex((member) => member.name === report.name);
  return index === -1 ? Number.MAX_SAFE_INTEGER : index;
}

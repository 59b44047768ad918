/**
 * Is a recruitment enough to act on (ARCHITECTURE.md, control path 3)? The old primary acknowledges a commit once
 * `quorum` of its listed standbys have flushed it. Once fewer than `quorum` listed standbys
 * are left unrecruited, the old primary can acknowledge nothing more, and every commit it
 * did acknowledge is on at least one recruit (pigeonhole). During a policy change two
 * configurations may be active; the recruitment must be enough for each.
 */
import type { SyncConfig } from './policy';

export interface RecruitmentVerdict {
  readonly sufficient: boolean;
  /** Why not, for logs and status: which config still has a quorum outside the recruits. */
  readonly reason: string | null;
}

export function checkRecruitment(oldPrimary: string, configs: readonly SyncConfig[], recruited: ReadonlySet<string>): RecruitmentVerdict {
  for (const config of configs) {
    if (config.quorum === 0) {
      // Asynchronous: the primary acknowledges alone, so only fencing it revokes it.
      if (!recruited.has(oldPrimary)) return { sufficient: false, reason: `asynchronous replication: ${oldPrimary} itself must be fenced` };
      continue;
    }
    if (recruited.has(oldPrimary)) continue;
    const outside = config.standbys.filter((name) => !recruited.has(name));
    if (outside.length >= config.quorum) {
      return {
        sufficient: false,
        reason: `${outside.join(', ')} could still acknowledge ${config.quorum} commit(s) for ${oldPrimary}; recruit ${outside.length - config.quorum + 1} more of them`,
      };
    }
  }
  return { sufficient: true, reason: null };
}

/** The fewest standbys a recruitment needs when the old primary cannot be reached. */
export function standbysNeeded(config: SyncConfig): number {
  return config.quorum === 0 ? Number.POSITIVE_INFINITY : config.standbys.length - config.quorum + 1;
}

/** What the election learns from a recruit's reply about what it may hold. */
export interface RecruitStanding {
  readonly name: string;
  /**
   * It answered as a former primary, its data directory whole, that did not shut down cleanly
   * (fenced by a kill, or crashed): where its WAL ends is unknown until its recovery runs.
   */
  readonly crashedPrimary: boolean;
  /** The highest rule term it holds (its polygres.rule_history, or the last rule it made durable). */
  readonly ruleTerm: number;
}

/** The parts of a recruit's reply (agent/consensus-messages.ts RecruitReply) the standing is read from. */
export interface RecruitAnswer {
  readonly instance: string;
  readonly wasPrimary: boolean;
  readonly promotable: boolean;
  readonly ruleTerm: number;
  /** Set when its data directory is missing or half rebuilt (it then answers as a former primary holding nothing). */
  readonly error: string | null;
}

export function standingOf(answer: RecruitAnswer): RecruitStanding {
  return { name: answer.instance, crashedPrimary: answer.wasPrimary && !answer.promotable && answer.error === null, ruleTerm: answer.ruleTerm };
}

/**
 * The recruits that can stand witness for the commits acknowledged under the election's old
 * rule: every one but a crashed former primary that holds that rule — its primary always does,
 * whatever term it reports (the term its pooler kept can lag: a rule made durable just before
 * the crash, or a pooler older than the kept term that restarted while its Postgres was down).
 * Such a node reports no WAL position. Counted as a recruit, it would let the election believe
 * an acknowledged commit is on a recruit when the only recruit that had it cannot say so, and
 * a standby without it would win — the old primary's Postgres killed by its fence while
 * the one standby that acknowledged the commit is unreachable; or a standby promoted by an
 * election whose rule never became durable, then killed. The pigeonhole (checkRecruitment) runs
 * over the witnesses; a crashed former primary is fenced all the same, and it cannot win.
 * One that does not hold the rule (it was primary before it and has not streamed since, say a
 * former primary waiting to be rewound) acknowledged nothing under it: every commit
 * acknowledged under a rule follows the rule's own row in the WAL. It counts, as it did before,
 * and so does a recruit whose data directory is half rebuilt (it was not streaming either): the
 * election after a new primary is lost mid-rewind of the old one needs their vote.
 */
export function witnesses(recruits: Iterable<RecruitStanding>, oldRule: { readonly term: number; readonly primary: string }): Set<string> {
  const names = new Set<string>();
  for (const recruit of recruits) {
    const holdsTheRule = recruit.name === oldRule.primary || recruit.ruleTerm >= oldRule.term;
    if (!recruit.crashedPrimary || !holdsTheRule) names.add(recruit.name);
  }
  return names;
}

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
  /** It ran as a primary when recruited (and was fenced), not as a standby. */
  readonly wasPrimary: boolean;
  /** Postgres answered (a standby) or shut down cleanly (a former primary): its position is known. */
  readonly promotable: boolean;
}

/**
 * The recruits that can stand witness for the commits they hold — every one but those that
 * answer as a former primary that cannot be promoted: one fenced by a kill, whose WAL ends where
 * its crash left it (nobody can read that without running its recovery), and one whose data
 * directory is half rebuilt, which holds nothing. Counted as recruits, they would let the
 * election believe an acknowledged commit is on a recruit when the only recruit that had it
 * cannot say so, and a standby without it would win (the old primary's Postgres killed while
 * the one standby that acknowledged the commit is unreachable). The pigeonhole
 * (checkRecruitment) runs over the witnesses; the others are fenced all the same, and cannot win.
 */
export function witnesses(recruits: Iterable<RecruitStanding>): Set<string> {
  const names = new Set<string>();
  for (const recruit of recruits) if (recruit.promotable || !recruit.wasPrimary) names.add(recruit.name);
  return names;
}

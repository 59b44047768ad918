import type { Analyzer } from './problem';

/** How long an election may run before another orchestrator takes over with a higher term. */
export const STALE_ELECTION_MS = 10_000;
/**
 * How long an election may go without its holder's lease: the holder takes it right after
 * taking the term, so a missing lease after this long means the holder is gone.
 */
export const UNHELD_ELECTION_MS = 1_000;

/**
 * An election whose orchestrator died (it refuses connections, or its lease lapsed: taken over
 * at once) or that has not finished in time (stuck waiting for a quorum). Taking over with a
 * higher term is always safe: poolers refuse the old term.
 */
export const staleElection: Analyzer = (snapshot) => {
  const rule = snapshot.rule?.value;
  if (rule?.status !== 'electing' || !rule.election) return [];
  const { term, kind, reason, by } = rule.election;
  const age = snapshot.at - Date.parse(rule.election.startedAt);
  const description = `election for term ${term} (${kind}: ${reason}) running for ${Math.round(age / 1000)} s`;
  // Its orchestrator gone: the process says so (refused, or restarted without it) or its lease lapsed.
  const abandoned = age >= UNHELD_ELECTION_MS && (snapshot.electionHolder === 'gone' || snapshot.electionHeld === false);
  if (age < STALE_ELECTION_MS && !abandoned) return [{ key: `electing:${term}`, description, graceMs: 0, fix: { kind: 'report' } }];
  return [{
    key: `stale-election:${term}`,
    description: abandoned ? `${description}; ${by}, which ran it, is gone` : description,
    graceMs: 0,
    fix: {
      kind: 'failover',
      reason: abandoned ? `taking over the election of term ${term}, abandoned by ${by}` : `taking over the unfinished election of term ${term}`,
      // A switchover taken over still moves the primary away; should no other member be able
      // to win, this election fails and the next takeover (a failover) lets every member win.
      ...(kind === 'switchover' ? { exclude: [rule.primary] } : {}),
    },
  }];
};

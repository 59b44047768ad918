import type { Analyzer } from './problem';

/** How long an election may run before another orchestrator takes over with a higher term. */
export const STALE_ELECTION_MS = 10_000;

/**
 * An election that has not finished in time — its orchestrator died or is stuck waiting for a
 * quorum. Taking over with a higher term is always safe: poolers refuse the old term.
 */
export const staleElection: Analyzer = (snapshot) => {
  const rule = snapshot.rule?.value;
  if (rule?.status !== 'electing' || !rule.election) return [];
  const age = snapshot.at - Date.parse(rule.election.startedAt);
  const description = `election for term ${rule.election.term} (${rule.election.kind}: ${rule.election.reason}) running for ${Math.round(age / 1000)} s`;
  if (age < STALE_ELECTION_MS) return [{ key: `electing:${rule.election.term}`, description, graceMs: 0, fix: { kind: 'report' } }];
  return [{
    key: `stale-election:${rule.election.term}`,
    description,
    graceMs: 0,
    fix: { kind: 'failover', reason: `taking over the unfinished election of term ${rule.election.term}` },
  }];
};

import { syncStandbyNames } from '../../consensus/sync-standby-names';
import { type Analyzer, servingPrimary } from './problem';

/**
 * The policy cannot be met right now: fewer standbys of the primary's synchronous list stream
 * than its quorum. Commits wait (they are never acknowledged unsafely); status says why.
 */
export const commitsBlocked: Analyzer = (snapshot) => {
  const primary = servingPrimary(snapshot);
  if (!primary?.status?.healthy) return [];
  const { sync } = primary.rule;
  if (sync.quorum === 0) return [];
  const streaming = primary.status.replication.filter((peer) => peer.state === 'streaming' && sync.standbys.includes(peer.name));
  if (streaming.length >= sync.quorum) return [];
  return [{
    key: 'commits-blocked',
    description: `commits are blocked: ${syncStandbyNames(sync)} needs ${sync.quorum} streaming standby(s) but ${streaming.length} stream (${streaming.map((p) => p.name).join(', ') || 'none'})`,
    graceMs: 0,
    fix: { kind: 'report' },
  }];
};

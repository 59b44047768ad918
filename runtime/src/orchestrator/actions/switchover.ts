/**
 * A planned switchover: the primary is fenced gracefully and the most advanced other member
 * (or `to`) is promoted. Asked for through the admin API and by a rolling update before it
 * restarts the primary's pod. Run it inside the loop's `exclusive`.
 */
import { ConflictError, InvalidRequestError } from '../../util/domain-errors';
import type { OrchestratorContext } from '../context';
import { type ElectionResult, runElection } from './elect';

export async function switchover(context: OrchestratorContext, options: { to?: string; reason?: string } = {}): Promise<ElectionResult> {
  const { to } = options;
  const current = await context.topo.getRule();
  if (!current || current.value.status !== 'serving') throw new ConflictError('the cluster has no serving rule; retry when status shows it serving');
  if (to !== undefined && !current.value.members.includes(to)) throw new InvalidRequestError(`to: "${to}" is not a member (${current.value.members.join(', ')})`);
  if (to === current.value.primary) throw new InvalidRequestError(`to: "${to}" is already the primary`);
  const result = await runElection(context, current, {
    kind: 'switchover',
    reason: options.reason ?? (to ? `switchover to ${to} requested` : 'switchover requested'),
    fence: 'graceful',
    exclude: [current.value.primary],
    ...(to ? { preferred: to } : {}),
  });
  if (result.outcome === 'failed') {
    // The old primary may already be fenced: restore service now rather than waiting for
    // the election to go stale. The most advanced node wins, the old primary included.
    const stuck = await context.topo.getRule();
    if (stuck?.value.status === 'electing') {
      await runElection(context, stuck, { kind: 'failover', reason: `switchover failed (${result.detail}); restoring service`, fence: 'graceful' });
    }
  }
  if (result.outcome !== 'done') throw new Error(`switchover ${result.outcome}: ${result.detail}`);
  return result;
}

/**
 * Brings a standby back into the fold: repoint it first; if it still does not stream, rewind
 * it onto the primary; failing that, clone it afresh. Each attempt escalates one step.
 */
import { type OrchestratorContext, recordHistory } from '../context';
import type { ShardRule } from '../../topo/records';

const MODES = ['follow', 'rewind', 'reclone'] as const;
const attempts = new Map<string, number>();

export async function rejoin(context: OrchestratorContext, rule: ShardRule, instance: string, formerPrimary: boolean): Promise<void> {
  const attempt = attempts.get(instance) ?? (formerPrimary ? 1 : 0);
  const mode = MODES[Math.min(attempt, MODES.length - 1)]!;
  attempts.set(instance, attempt + 1);
  try {
    await context.poolers.follow(instance, { term: rule.term, primary: rule.primary, mode });
    await recordHistory(context, { term: rule.term, action: 'rejoin', outcome: 'done', detail: `${instance} follows ${rule.primary} (${mode})` });
  } catch (error) {
    await recordHistory(context, { term: rule.term, action: 'rejoin', outcome: 'failed', detail: `${instance} (${mode}): ${(error as Error).message}` });
  }
}

/** Forget escalation for instances that are healthy again. */
export function rejoinSucceeded(instance: string): void {
  attempts.delete(instance);
}

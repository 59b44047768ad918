/**
 * A policy change is a rule change (ARCHITECTURE.md, control path 6). Under a new term: publish the new
 * configuration as pending (from then on elections revoke both), switch the primary to it,
 * wait until the new configuration's quorum holds everything written so far (so older
 * commits are durable under the new policy too), then publish it alone and write the rule
 * into Postgres. Writes continue throughout; nothing restarts.
 */
import { parseLsn } from '../../consensus/lsn';
import type { DurabilityPolicySpec } from '../../consensus/policy';
import { policyFor } from '../../consensus/registry';
import { syncStandbyNames } from '../../consensus/sync-standby-names';
import { ConflictError, InvalidRequestError } from '../../util/domain-errors';
import type { ShardRule } from '../../topo/records';
import { sleep } from '../../util/net';
import { type OrchestratorContext, recordHistory } from '../context';

const CATCH_UP_TIMEOUT_MS = 60_000;

export async function setDurability(context: OrchestratorContext, target: DurabilityPolicySpec): Promise<ShardRule> {
  const current = await context.topo.getRule();
  if (!current || current.value.status !== 'serving') throw new ConflictError('the cluster has no serving rule right now; retry when status shows it serving');
  const old = current.value;
  const policy = policyFor(target);
  const members = old.members.map((name) => ({ name, zone: context.layout.instances.find((i) => i.name === name)?.zone ?? 'unknown' }));
  const errors = policy.check(members).filter((finding) => finding.severity === 'error');
  if (errors.length > 0) throw new InvalidRequestError(`durability: ${errors.map((e) => `${e.message} (fix: ${e.fix})`).join('; ')}`);
  const primaryNode = members.find((member) => member.name === old.primary)!;
  const sync = policy.syncConfig(primaryNode, members);
  if (!sync) throw new InvalidRequestError(`durability: ${policy.describe()} cannot be realised with ${old.primary} as primary; switch over first`);

  const pending = await context.topo.takeTerm(current, (term) => ({ ...old, term, pendingSync: sync, decidedBy: context.me.name, decidedAt: new Date().toISOString() }));
  if (!pending) throw new ConflictError('the rule changed meanwhile; retry');
  const term = pending.value.term;
  await recordHistory(context, { term, action: 'set-durability', outcome: 'started', detail: `${policyFor(old.policy).describe()} -> ${policy.describe()}` });
  try {
    await context.poolers.applySync(old.primary, { term, sync });
    await waitForQuorumCatchUp(context, old.primary, sync.standbys, sync.quorum);
  } catch (error) {
    await recordHistory(context, { term, action: 'set-durability', outcome: 'failed', detail: `${(error as Error).message}; both configurations stay in force` });
    throw error;
  }
  const rule: ShardRule = { ...pending.value, policy: target, sync, pendingSync: null, decidedAt: new Date().toISOString() };
  if (!(await context.topo.replaceRule(rule, pending.modRevision))) throw new ConflictError('the rule changed while switching policy; check status');
  await context.poolers.establishRule(old.primary, { term, rule }, CATCH_UP_TIMEOUT_MS);
  await recordHistory(context, { term, action: 'set-durability', outcome: 'done', detail: `${policy.describe()}: ${syncStandbyNames(sync) || 'asynchronous'}` });
  return rule;
}

/** Waits until `quorum` of `standbys` have flushed everything the primary had written when we started. */
async function waitForQuorumCatchUp(context: OrchestratorContext, primary: string, standbys: readonly string[], quorum: number): Promise<void> {
  if (quorum === 0) return;
  const start = await context.poolers.status(primary);
  const target = parseLsn(start.lsn);
  const deadline = Date.now() + CATCH_UP_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const status = await context.poolers.status(primary);
    const caughtUp = status.replication.filter((peer) => standbys.includes(peer.name) && parseLsn(peer.flushLsn) >= target);
    if (caughtUp.length >= quorum) return;
    await sleep(100);
  }
  throw new Error(`the new configuration's standbys did not catch up within ${CATCH_UP_TIMEOUT_MS / 1000} s`);
}

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

export function setDurability(context: OrchestratorContext, target: DurabilityPolicySpec): Promise<ShardRule> {
  return changeRule(context, { policy: target }, 'set-durability');
}

/**
 * The same for the members (polygres apply adding or removing instances): a new standby joins
 * the synchronous configuration only once it is in the rule, a removed one leaves it before it
 * stops; while both configurations are in force, elections revoke the union of the members.
 */
export function setMembers(context: OrchestratorContext, members: readonly string[]): Promise<ShardRule> {
  return changeRule(context, { members }, 'set-members');
}

async function changeRule(context: OrchestratorContext, change: { policy?: DurabilityPolicySpec; members?: readonly string[] }, action: string): Promise<ShardRule> {
  const current = await context.topo.getRule();
  if (!current || current.value.status !== 'serving') throw new ConflictError('the cluster has no serving rule right now; retry when status shows it serving');
  const old = current.value;
  const target = change.policy ?? old.policy;
  const names = change.members ?? old.members;
  const unknown = names.filter((name) => !context.layout.instances.some((instance) => instance.name === name));
  if (unknown.length > 0) throw new InvalidRequestError(`members: ${unknown.join(', ')} not in this orchestrator's layout (restart the orchestrators after changing it)`);
  if (!names.includes(old.primary)) throw new InvalidRequestError(`members: the primary ${old.primary} cannot leave; switch over first`);
  const policy = policyFor(target);
  const members = names.map((name) => ({ name, zone: context.layout.instances.find((i) => i.name === name)!.zone }));
  const errors = policy.check(members).filter((finding) => finding.severity === 'error');
  if (errors.length > 0) throw new InvalidRequestError(`durability: ${errors.map((e) => `${e.message} (fix: ${e.fix})`).join('; ')}`);
  const primaryNode = members.find((member) => member.name === old.primary)!;
  const sync = policy.syncConfig(primaryNode, members);
  if (!sync) throw new InvalidRequestError(`durability: ${policy.describe()} cannot be realised with ${old.primary} as primary; switch over first`);

  const union = [...new Set([...old.members, ...names])];
  const pending = await context.topo.takeTerm(current, (term) => ({ ...old, term, members: union, pendingSync: sync, decidedBy: context.me.name, decidedAt: new Date().toISOString() }));
  if (!pending) throw new ConflictError('the rule changed meanwhile; retry');
  const term = pending.value.term;
  const describe = change.members ? `members ${old.members.join(', ')} -> ${names.join(', ')}` : `${policyFor(old.policy).describe()} -> ${policy.describe()}`;
  await recordHistory(context, { term, action, outcome: 'started', detail: describe });
  try {
    await context.poolers.applySync(old.primary, { term, sync });
    await waitForQuorumCatchUp(context, old.primary, sync.standbys, sync.quorum);
  } catch (error) {
    await recordHistory(context, { term, action, outcome: 'failed', detail: `${(error as Error).message}; both configurations stay in force` });
    throw error;
  }
  const rule: ShardRule = { ...pending.value, policy: target, members: names, sync, pendingSync: null, decidedAt: new Date().toISOString() };
  if (!(await context.topo.replaceRule(rule, pending.modRevision))) throw new ConflictError('the rule changed while switching policy; check status');
  await context.poolers.establishRule(old.primary, { term, rule }, CATCH_UP_TIMEOUT_MS);
  await recordHistory(context, { term, action, outcome: 'done', detail: `${describe}: ${syncStandbyNames(sync) || 'asynchronous'}` });
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

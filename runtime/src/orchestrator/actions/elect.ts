/**
 * An election (ARCHITECTURE.md, control path): take a new term, recruit until the old primary can acknowledge
 * nothing more and every acknowledged commit is on a recruit, promote the most advanced
 * recruit with the synchronous configuration the policy needs, point the others at it, write
 * the rule durably inside Postgres, and only then publish it as serving.
 */
import { type CandidateReport, chooseCandidate } from '../../consensus/candidate';
import type { PolicyNode, SyncConfig } from '../../consensus/policy';
import { checkRecruitment, standingOf, witnesses } from '../../consensus/recruitment';
import { policyFor } from '../../consensus/registry';
import { syncStandbyNames } from '../../consensus/sync-standby-names';
import type { RecruitReply } from '../../agent/consensus-messages';
import type { Election, ShardRule, Versioned } from '../../topo/records';
import { sleep } from '../../util/net';
import { type OrchestratorContext, recordHistory } from '../context';

export interface ElectionRequest {
  readonly kind: Election['kind'];
  readonly reason: string;
  /** graceful for a planned switchover (drain, then stop); kill for a failover. */
  readonly fence: 'graceful' | 'kill';
  /** Instances that must not win (the primary being switched away from). */
  readonly exclude?: readonly string[];
  readonly preferred?: string;
  /** When the old primary was first seen lost (ms since the epoch): a failover's outage starts there. */
  readonly lostAt?: number;
}

export interface ElectionResult {
  readonly term: number;
  readonly outcome: 'done' | 'failed' | 'lost-race';
  readonly primary: string | null;
  readonly previousPrimary: string;
  readonly detail: string;
  /** From taking the term to publishing the new rule. */
  readonly durationMs: number;
}

/** How long to keep recruiting before giving up on a sufficient recruitment. */
const RECRUIT_PATIENCE_MS = 10_000;
/** How long the new primary may wait for its quorum before the election is left to a retry. */
const ESTABLISH_TIMEOUT_MS = 30_000;

export async function runElection(context: OrchestratorContext, current: Versioned<ShardRule>, request: ElectionRequest): Promise<ElectionResult> {
  const started = Date.now();
  const old = current.value;
  const begun = await context.topo.beginElection(current, {
    kind: request.kind,
    reason: request.reason,
    by: context.me.name,
    startedAt: new Date().toISOString(),
  });
  if (!begun?.value.election) {
    return { term: old.term, outcome: 'lost-race', primary: null, previousPrimary: old.primary, detail: 'another orchestrator changed the rule first', durationMs: 0 };
  }
  const term = begun.value.election.term;
  // While this lives, the election is ours: should this orchestrator die, its lease lapses in
  // seconds and another takes the election over at once (analyzers/stale-election.ts).
  const hold = await context.topo.holdElection(term).catch((error: unknown) => {
    context.log.warn({ term, err: (error as Error).message }, 'could not take the election lease; others take over only when it runs late');
    return undefined;
  });
  context.peers.runningHere.add(term);
  try {
    return await elect(context, request, old, begun, term, started);
  } finally {
    context.peers.runningHere.delete(term);
    await hold?.release().catch(() => undefined);
  }
}

async function elect(context: OrchestratorContext, request: ElectionRequest, old: ShardRule, begun: Versioned<ShardRule>, term: number, started: number): Promise<ElectionResult> {
  const finish = async (outcome: 'done' | 'failed', primary: string | null, detail: string): Promise<ElectionResult> => {
    const result = { term, outcome, primary, previousPrimary: old.primary, detail, durationMs: Date.now() - started };
    const outage = outcome === 'done' ? { outageSeconds: (Date.now() - (request.lostAt ?? started)) / 1000 } : {};
    await recordHistory(context, { term, action: request.kind, outcome, detail: `${detail} (${result.durationMs} ms)`, ...outage });
    return result;
  };
  await recordHistory(context, { term, action: request.kind, outcome: 'started', detail: request.reason });

  const replies = await recruitEnough(context, old, term, request.fence);
  // Every acknowledged commit must be on a recruit that can say how far it is (witnesses): a
  // crashed former primary that holds the old rule cannot, and does not count; none competes.
  const standings = [...replies.values()].map(standingOf);
  const witnessing = witnesses(standings, old);
  const competing = new Set(standings.filter((standing) => !standing.crashedPrimary).map((standing) => standing.name));
  const verdict = checkRecruitment(old.primary, configsOf(old), witnessing);
  if (!verdict.sufficient) {
    const asynchronous = configsOf(old).every((config) => config.quorum === 0);
    const unknown = [...replies.keys()].filter((name) => !witnessing.has(name));
    const why = unknown.length > 0 ? `${verdict.reason} (${unknown.join(', ')} was primary and did not shut down cleanly: where its WAL ends is unknown)` : verdict.reason;
    if (!asynchronous) return finish('failed', null, `recruitment insufficient: ${why}`);
    context.log.warn({ term }, 'asynchronous policy: failing over without a recruit that holds every commit the old primary acknowledged; unreplicated commits may be lost');
  }

  const policy = policyFor(old.policy);
  const members = memberNodes(context, old);
  const choice = chooseCandidate([...replies.values()].filter((reply) => competing.has(reply.instance)).map(toCandidate), {
    policy,
    members,
    ...(request.exclude ? { exclude: request.exclude } : {}),
    ...(request.preferred ? { preferred: request.preferred } : {}),
    ...(zoneOf(members, old.primary) ? { preferredZone: zoneOf(members, old.primary)! } : {}),
  });
  if (!choice.winner) {
    const why = choice.blockedBy ? `the most advanced recruit ${choice.blockedBy.name} cannot be promoted` : 'no eligible recruit';
    return finish('failed', null, why);
  }
  const winner = choice.winner;
  if (request.preferred && winner.name !== request.preferred) {
    context.log.warn({ preferred: request.preferred, winner: winner.name }, 'the requested instance is not the most advanced; promoting the most advanced instead');
  }
  const winnerNode = members.find((member) => member.name === winner.name)!;
  const sync = policy.syncConfig(winnerNode, members);
  if (!sync) return finish('failed', null, `${policy.describe()} cannot be realised with ${winner.name} as primary`);

  // Point every other member at the winner. Standbys go now, while it is promoted: they stream
  // from it (cascading) and follow its new timeline on the same connection when it switches,
  // so the quorum that makes the rule durable is there as soon as it can be. They are at or
  // behind the winner (it is the most advanced), so nothing they hold is lost. A former
  // primary is rewound only once the winner has its new timeline; rewinds run on in the
  // background.
  const repoint = (name: string, mode: 'follow' | 'rewind') =>
    context.poolers.follow(name, { term, primary: winner.name, mode }).then(
      () => undefined,
      (error: unknown) => context.log.warn({ instance: name, err: (error as Error).message }, 'could not repoint; the rejoin analyzer will retry'),
    );
  const others = old.members.filter((name) => name !== winner.name && (replies.has(name) || name !== old.primary));
  const formerPrimaries = others.filter((name) => replies.get(name)?.wasPrimary);
  const following = others.filter((name) => !formerPrimaries.includes(name)).map((name) => repoint(name, 'follow'));
  try {
    await context.poolers.promote(winner.name, { term, sync });
  } catch (error) {
    return finish('failed', null, `promoting ${winner.name} failed: ${(error as Error).message}`);
  }
  following.push(...formerPrimaries.map((name) => repoint(name, 'rewind')));

  const rule: ShardRule = {
    term,
    primary: winner.name,
    policy: old.policy,
    members: old.members,
    sync,
    pendingSync: null,
    status: 'serving',
    election: null,
    decidedBy: context.me.name,
    decidedAt: new Date().toISOString(),
  };
  try {
    await context.poolers.establishRule(winner.name, { term, rule }, ESTABLISH_TIMEOUT_MS);
  } catch (error) {
    return finish('failed', winner.name, `rule ${term} not durable on ${winner.name} (${syncStandbyNames(sync)}): ${(error as Error).message}`);
  }
  if (!(await context.topo.replaceRule(rule, begun.modRevision))) {
    return finish('failed', winner.name, 'the rule changed while electing (another orchestrator took over)');
  }
  void Promise.all(following);
  return finish('done', winner.name, `${winner.name} is primary (was ${old.primary}), ${syncStandbyNames(sync) || 'asynchronous'}`);
}

/**
 * Recruits every member at once and returns once the recruitment is sufficient and every
 * standby has answered its first request (so the best candidate is known) — only the old
 * primary's pooler, which may be frozen or dying, is not waited for — or when patience runs
 * out. Members that did not answer are asked again. A pooler that refuses (a higher term
 * exists) is not a recruit.
 */
async function recruitEnough(context: OrchestratorContext, old: ShardRule, term: number, fence: 'graceful' | 'kill'): Promise<Map<string, RecruitReply>> {
  const replies = new Map<string, RecruitReply>();
  const asking = new Set<string>();
  const ask = async (name: string) => {
    asking.add(name);
    try {
      const reply = await context.poolers.recruit(name, { term, by: context.me.name, fence });
      if (reply.accepted) replies.set(name, reply);
    } catch (error) {
      context.log.info({ instance: name, term, err: (error as Error).message }, 'recruit not answered');
    } finally {
      asking.delete(name);
    }
  };
  // A graceful switchover fences the old primary first, so its standbys receive all its WAL.
  if (fence === 'graceful') await ask(old.primary);
  const asked = new Set<string>();
  const done = () =>
    checkRecruitment(old.primary, configsOf(old), new Set(replies.keys())).sufficient &&
    old.members.every((name) => name === old.primary || (asked.has(name) && !asking.has(name)) || replies.has(name));
  const deadline = Date.now() + RECRUIT_PATIENCE_MS;
  let nextRound = 0;
  while (!done() && Date.now() < deadline) {
    if (Date.now() >= nextRound) {
      for (const name of old.members) {
        if (replies.has(name) || asking.has(name)) continue;
        asked.add(name);
        void ask(name);
      }
      nextRound = Date.now() + 300;
    }
    await sleep(10);
  }
  return new Map(replies);
}

/** Every configuration that may be acknowledging commits under this rule. */
function configsOf(rule: ShardRule): SyncConfig[] {
  return rule.pendingSync ? [rule.sync, rule.pendingSync] : [rule.sync];
}

function toCandidate(reply: RecruitReply): CandidateReport {
  return { name: reply.instance, zone: reply.zone, ruleTerm: reply.ruleTerm, lsn: reply.lsn, promotable: reply.promotable };
}

function memberNodes(context: OrchestratorContext, rule: ShardRule): PolicyNode[] {
  return rule.members.map((name) => {
    const instance = context.layout.instances.find((candidate) => candidate.name === name);
    return { name, zone: instance?.zone ?? 'unknown' };
  });
}

function zoneOf(members: readonly PolicyNode[], name: string): string | undefined {
  return members.find((member) => member.name === name)?.zone;
}

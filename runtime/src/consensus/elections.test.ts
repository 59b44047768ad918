/**
 * Recruitment and candidate choice, alone and together. The model test plays random
 * histories — commits acknowledged under the policy's synchronous configuration, lagging
 * standbys, failures, elections with any sufficient recruitment — and checks after each
 * election that every acknowledged commit is on the new primary.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type CandidateReport, chooseCandidate } from './candidate';
import { atLeast, multiZone, none, surviveZoneFailure } from './index';
import { formatLsn, parseLsn } from './lsn';
import type { DurabilityPolicy, PolicyNode, SyncConfig } from './policy';
import { checkRecruitment, standingOf, witnesses } from './recruitment';

const node = (name: string, zone: string): PolicyNode => ({ name, zone });

describe('checkRecruitment', () => {
  const config: SyncConfig = { quorum: 1, standbys: ['b', 'c'] };

  it('needs n - k + 1 standbys when the old primary is gone', () => {
    expect(checkRecruitment('a', [config], new Set(['b'])).sufficient).toBe(false);
    expect(checkRecruitment('a', [config], new Set(['b', 'c'])).sufficient).toBe(true);
    const two: SyncConfig = { quorum: 2, standbys: ['b', 'c', 'd'] };
    expect(checkRecruitment('a', [two], new Set(['b'])).sufficient).toBe(false);
    expect(checkRecruitment('a', [two], new Set(['b', 'd'])).sufficient).toBe(true);
  });

  it('is sufficient once the old primary itself is fenced', () => {
    expect(checkRecruitment('a', [config], new Set(['a'])).sufficient).toBe(true);
  });

  it('says which standbys could still acknowledge', () => {
    expect(checkRecruitment('a', [config], new Set(['b'])).reason).toContain('c could still acknowledge');
  });

  it('requires fencing the primary under asynchronous replication', () => {
    const async: SyncConfig = { quorum: 0, standbys: ['b', 'c'] };
    expect(checkRecruitment('a', [async], new Set(['b', 'c'])).sufficient).toBe(false);
    expect(checkRecruitment('a', [async], new Set(['a'])).sufficient).toBe(true);
  });

  it('must revoke every configuration in force during a policy change', () => {
    const old: SyncConfig = { quorum: 1, standbys: ['b', 'c'] };
    const next: SyncConfig = { quorum: 1, standbys: ['c', 'd'] };
    expect(checkRecruitment('a', [old, next], new Set(['b', 'c'])).sufficient).toBe(false);
    expect(checkRecruitment('a', [old, next], new Set(['b', 'c', 'd'])).sufficient).toBe(true);
  });
});

describe('witnesses', () => {
  const config: SyncConfig = { quorum: 1, standbys: ['b', 'c'] };

  it('a crashed former primary that holds the rule does not stand witness: the standby that may hold its acknowledged commits must be recruited', () => {
    const killed = { name: 'a', crashedPrimary: true, ruleTerm: 5 };
    const standby = { name: 'b', crashedPrimary: false, ruleTerm: 5 };
    const rule = { term: 5, primary: 'a' };
    expect([...witnesses([killed, standby], rule)]).toEqual(['b']);
    expect(checkRecruitment('a', [config], witnesses([killed, standby], rule)).sufficient).toBe(false);
    expect(checkRecruitment('a', [config], witnesses([killed, standby, { name: 'c', crashedPrimary: false, ruleTerm: 4 }], rule)).sufficient).toBe(true);
    // The old rule's primary holds it whatever it reports (its pooler restarted with Postgres down reads no term).
    expect([...witnesses([{ ...killed, ruleTerm: 0 }, standby], rule)]).toEqual(['b']);
  });

  it('one that does not hold the rule acknowledged nothing under it, and counts (a former primary waiting to be rewound)', () => {
    const rewinding = { name: 'b', crashedPrimary: true, ruleTerm: 4 };
    const standby = { name: 'c', crashedPrimary: false, ruleTerm: 5 };
    expect(checkRecruitment('a', [config], witnesses([{ name: 'a', crashedPrimary: true, ruleTerm: 5 }, rewinding, standby], { term: 5, primary: 'a' })).sufficient).toBe(true);
  });

  it('reads a crashed former primary from the reply: a primary not shut down cleanly, its data whole', () => {
    const answer = (instance: string, wasPrimary: boolean, promotable: boolean, error: string | null = null) => ({ instance, wasPrimary, promotable, ruleTerm: 5, error });
    const replies = [
      answer('killed', true, false),
      answer('clean', true, true),
      answer('half-rebuilt', true, false, 'its data directory is half rebuilt (a rewind or clone did not finish)'),
      answer('silent-standby', false, false),
      answer('standby', false, true),
    ];
    expect([...witnesses(replies.map(standingOf), { term: 5, primary: 'killed' })]).toEqual(['clean', 'half-rebuilt', 'silent-standby', 'standby']);
  });
});

describe('chooseCandidate', () => {
  const members = [node('a', 'z1'), node('b', 'z2'), node('c', 'z3')];
  const report = (name: string, ruleTerm: number, lsn: string | null, promotable = true): CandidateReport => ({
    name,
    zone: members.find((m) => m.name === name)!.zone,
    ruleTerm,
    lsn,
    promotable,
  });

  it('prefers the highest rule term, then the most WAL', () => {
    const choice = chooseCandidate([report('b', 2, '0/9000000'), report('c', 3, '0/1000000')], { policy: atLeast(2), members });
    expect(choice.winner?.name).toBe('c');
    expect(chooseCandidate([report('b', 3, '0/9000000'), report('c', 3, '0/1000000')], { policy: atLeast(2), members }).winner?.name).toBe('b');
  });

  it('breaks ties by the requested instance, then declaration order', () => {
    const reports = [report('b', 1, '0/5'), report('c', 1, '0/5')];
    expect(chooseCandidate(reports, { policy: atLeast(2), members }).winner?.name).toBe('b');
    expect(chooseCandidate(reports, { policy: atLeast(2), members, preferred: 'c' }).winner?.name).toBe('c');
  });

  it('never lets a less advanced node win in place of an unpromotable one', () => {
    const choice = chooseCandidate([report('b', 1, '0/9', false), report('c', 1, '0/5')], { policy: atLeast(2), members });
    expect(choice.winner).toBeUndefined();
    expect(choice.blockedBy?.name).toBe('b');
  });

  it('lets no winner reach less far than a recruit that cannot answer, whatever rule term that one reports', () => {
    // Its pooler restarted while its Postgres was down: it has read no rule, and reports 0.
    const silent = report('b', 0, '0/9', false);
    expect(chooseCandidate([silent, report('c', 1, '0/5')], { policy: atLeast(2), members }).blockedBy?.name).toBe('b');
    expect(chooseCandidate([silent, report('c', 1, '0/9')], { policy: atLeast(2), members }).winner?.name).toBe('c');
    // Half rebuilt, it holds no position and blocks nobody.
    expect(chooseCandidate([report('b', 0, null, false), report('c', 1, '0/5')], { policy: atLeast(2), members }).winner?.name).toBe('c');
  });

  it('skips excluded instances', () => {
    const choice = chooseCandidate([report('a', 1, '0/9'), report('b', 1, '0/5')], { policy: atLeast(2), members, exclude: ['a'] });
    expect(choice.winner?.name).toBe('b');
  });

  it('compares LSNs numerically', () => {
    expect(parseLsn('1/0') > parseLsn('0/FFFFFFFF')).toBe(true);
    expect(formatLsn(parseLsn('16/B374D848'))).toBe('16/B374D848');
  });
});

/** A random cluster with a policy it satisfies. */
const clusters = fc
  .record({
    zones: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 2, maxLength: 6 }),
    policy: fc.oneof(
      fc.integer({ min: 2, max: 4 }).map((n) => atLeast(n)),
      fc.integer({ min: 2, max: 3 }).map((n) => multiZone(n)),
      fc.constant(surviveZoneFailure()),
    ),
  })
  .map(({ zones, policy }) => ({ members: zones.map((zone, i) => node(`n${i}`, `z${zone}`)), policy }))
  .filter(({ members, policy }) => policy.check(members).every((finding) => finding.severity !== 'error'));

/** Every set of `size` elements of `items`. */
function subsets<T>(items: readonly T[], size: number): T[][] {
  if (size === 0) return [[]];
  if (items.length < size) return [];
  const [first, ...rest] = items;
  return [...subsets(rest, size - 1).map((s) => [first!, ...s]), ...subsets(rest, size)];
}

describe('election properties', () => {
  it('a sufficient recruitment (old primary lost) meets every set that can acknowledge a commit', () => {
    fc.assert(
      fc.property(clusters, fc.nat(), fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }), ({ members, policy }, pick, mask) => {
        const primary = members[pick % members.length]!;
        const config = policy.syncConfig(primary, members);
        if (!config) return;
        const recruited = new Set(members.filter((m, i) => m.name !== primary.name && mask[i]).map((m) => m.name));
        if (!checkRecruitment(primary.name, [config], recruited).sufficient) return;
        for (const acks of subsets(config.standbys, config.quorum)) {
          expect(acks.some((name) => recruited.has(name))).toBe(true);
        }
      }),
    );
  });

  it('a later term cannot complete an election without meeting the earlier term’s acknowledgers', () => {
    // Term T elected `first` with the policy's configuration; a recruitment for T+1 that is
    // sufficient against it intersects every acknowledging set of T, so the election of T+1
    // finds every commit of T — and a recruitment of T+1 that misses them is refused.
    fc.assert(
      fc.property(clusters, fc.nat(), fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }), ({ members, policy }, pick, mask) => {
        const first = members[pick % members.length]!;
        const config = policy.syncConfig(first, members);
        if (!config) return;
        const recruited = new Set(members.filter((_, i) => mask[i]).map((m) => m.name));
        const sufficient = checkRecruitment(first.name, [config], recruited).sufficient;
        const acknowledgingSets = subsets(config.standbys, config.quorum).map((acks) => [first.name, ...acks]);
        const meetsAll = acknowledgingSets.every((set) => set.some((name) => recruited.has(name)));
        if (sufficient) expect(meetsAll).toBe(true);
      }),
    );
  });

  it('no acknowledged commit is lost across random failures and elections', () => {
    fc.assert(
      fc.property(clusters, fc.array(fc.nat(), { minLength: 20, maxLength: 120 }), ({ members, policy }, script) => simulate(members, policy, script)),
      { numRuns: Number(process.env.POLYGRES_PROPERTY_RUNS ?? 300) },
    );
  });

  it('under none() a failover may lose commits (and the policy says so)', () => {
    expect(none().check([node('a', 'z')])[0]?.message).toContain('can lose acknowledged commits');
  });
});

/**
 * A history of the cluster driven by `script`: every number picks the next event. Logs are
 * arrays of entries `term:n`; a standby's log is a prefix of its primary's. As in the real
 * orchestrator, an election is complete — and its configuration the one later elections
 * revoke — only once the new primary's rule entry is acknowledged by its own quorum; until
 * then gateways send it no writes and the previous serving rule stays in force.
 */
function simulate(members: PolicyNode[], policy: DurabilityPolicy, script: number[]): void {
  const logs = new Map(members.map((m) => [m.name, [] as string[]]));
  const alive = new Set(members.map((m) => m.name));
  let term = 1;
  let primary = members[0]!;
  const serving = policy.syncConfig(primary, members);
  if (!serving) return;
  /** The last rule that completed: elections recruit against its primary and configuration. */
  let rule = { primary: primary.name, config: serving, term };
  let accepting = true;
  const acknowledged: string[] = [];
  let counter = 0;
  const logOf = (name: string) => logs.get(name)!;
  const catchUp = (name: string, upTo: number) => {
    const source = logOf(primary.name);
    logs.set(name, source.slice(0, Math.max(logOf(name).length, Math.min(upTo, source.length))));
  };
  /** Writes `entry` on the primary and streams it to the standbys `bits` pick; true when acknowledged. */
  const write = (entry: string, config: SyncConfig, bits: number) => {
    logOf(primary.name).push(entry);
    const reached = config.standbys.filter((name, i) => alive.has(name) && ((bits >> (i + 2)) & 1) === 1);
    for (const name of reached) catchUp(name, logOf(primary.name).length);
    return reached.length >= config.quorum;
  };

  for (const step of script) {
    const event = step % 4;
    if (event <= 1) {
      if (accepting && alive.has(primary.name) && write(`${term}:${counter++}`, rule.config, step)) {
        acknowledged.push(`${term}:${counter - 1}`);
      }
    } else if (event === 2) {
      // A lagging standby streams part of what it missed.
      const standby = members[(step >> 2) % members.length]!;
      if (standby.name !== primary.name && alive.has(standby.name)) catchUp(standby.name, logOf(standby.name).length + ((step >> 5) % 3));
    } else {
      // The primary fails (or an unfinished election is taken over); a new election recruits
      // some set of the survivors and must be sufficient against the last completed rule.
      alive.delete(primary.name);
      const survivors = members.filter((m) => alive.has(m.name));
      const recruited = survivors.filter((_, i) => ((step >> (i + 2)) & 1) === 1 || i === 0);
      const failed = primary;
      const restore = () => alive.add(failed.name);
      // Its Postgres may have hung rather than its node gone: its pooler answers, and the fence
      // kills it — a recruit too, one that cannot say where its WAL ends.
      const ruleTermOf = (name: string) => Math.max(0, ...logOf(name).map((entry) => Number(entry.split(':')[0])));
      const killed = ((step >> 12) & 1) === 1 ? [{ name: failed.name, crashedPrimary: true, ruleTerm: ruleTermOf(failed.name) }] : [];
      const standing = [...recruited.map((m) => ({ name: m.name, crashedPrimary: false, ruleTerm: ruleTermOf(m.name) })), ...killed];
      if (!checkRecruitment(rule.primary, [rule.config], witnesses(standing, rule)).sufficient) {
        restore();
        continue;
      }
      // A recruited standby whose Postgres cannot answer reports the end of its WAL files and
      // cannot win; the first recruit is one when the script says so.
      const silent = ((step >> 13) & 1) === 1 ? recruited[0]?.name : undefined;
      const reports = recruited.map((m) => ({
        name: m.name,
        zone: m.zone,
        // Its rule term is the last its pooler read: maybe lower than its WAL holds, maybe 0.
        ruleTerm: m.name === silent ? Math.max(0, ruleTermOf(m.name) - ((step >> 14) & 3)) : ruleTermOf(m.name),
        lsn: formatLsn(BigInt(logOf(m.name).length)),
        promotable: m.name !== silent,
      }));
      const winner = members.find((m) => m.name === chooseCandidate(reports, { policy, members }).winner?.name);
      const next = winner && policy.syncConfig(winner, members);
      if (!winner || !next) {
        restore();
        continue;
      }
      term += 1;
      for (const entry of acknowledged) expect(logOf(winner.name), `acknowledged ${entry} on the winner of term ${term}`).toContain(entry);
      primary = winner;
      // Everyone else rewinds onto the new primary's history, then its rule is written.
      for (const m of members) {
        if (m.name === primary.name) continue;
        const own = logOf(m.name);
        const source = logOf(primary.name);
        let common = 0;
        while (common < own.length && own[common] === source[common]) common++;
        logs.set(m.name, own.slice(0, common));
      }
      restore();
      accepting = write(`${term}:rule`, next, step >> 3);
      if (accepting) rule = { primary: primary.name, config: next, term };
    }
  }
}

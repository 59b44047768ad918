/**
 * The chaos suite: ledger writers record every acknowledged
 * commit through a gateway while faults hit the real processes; after each fault every
 * acknowledged id must be on the primary and on every replica, replicas must converge, and
 * every acknowledgement must come from the primary etcd's rules named at the time, on a
 * timeline of its own. The last test stops the writers and checks every acknowledgement again,
 * late ones included. CHAOS_FAILOVERS sets the length of the failover loop (20 in CI;
 * `npm run chaos:long` runs 200).
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { waitFor } from '../../runtime/src/util/net';
import { freezePostgres, freezeProcess, killOrchestratorMidElection, killPostgres, supervisedPid } from '../support/faults';
import { verifyLedger } from '../support/ledger-check';
import { LEDGER_DDL, type LedgerWriter , startLedgerWriter } from '../support/ledger-writer';
import { type LocalCluster, settledStatus, startLocalCluster } from '../support/local-cluster';
import { polygres } from '../support/polygres-cli';
import { RuleRecorder } from '../support/rule-recorder';
import { ChaosLog } from './chaos-run';

const FAILOVERS = Number(process.env.CHAOS_FAILOVERS ?? 20);

describe('chaos: faults under a ledger writer', () => {
  let cluster: LocalCluster;
  const writers: LedgerWriter[] = [];
  let log: ChaosLog;
  let rules: RuleRecorder;

  const newWriter = (name: string, base: number) => {
    const writer = startLedgerWriter(cluster, name, base, cluster.layout.gateways[writers.length % cluster.layout.gateways.length]);
    writers.push(writer);
    return writer;
  };
  const primary = async () => (await cluster.statusNow()).primary!;
  /** Waits until a write sent after `since` is acknowledged. */
  const writesResume = (since: number) =>
    waitFor('writes acknowledged again', () => writers.flatMap((w) => w.acknowledged).find((ack) => ack.sentAt > since), { timeoutMs: 60_000, intervalMs: 20 });
  /** Every instance healthy, replicas streaming, and the same rule for two looks in a row. */
  const allHealthy = async () => {
    let previous: number | null = null;
    await cluster.waitForStatus(
      'every instance healthy and streaming, and the rule stable',
      (s) => {
        const settled = settledStatus(s) && s.problems.length === 0;
        const stable = settled && s.term === previous;
        previous = settled ? s.term : null;
        return stable;
      },
      120_000,
    );
  };

  beforeAll(async () => {
    cluster = await startLocalCluster(inject('testRoot'));
    await cluster.query(LEDGER_DDL);
    rules = await RuleRecorder.start(cluster.layout);
    newWriter('first', 0);
    log = new ChaosLog(writers);
  });
  afterAll(async () => {
    await Promise.all(writers.map((writer) => writer.stop()));
    await rules?.stop();
    await cluster?.stop();
  });

  it('kill -9 of the primary Postgres', async () => {
    const at = Date.now();
    const killed = killPostgres(cluster, await primary());
    const resumed = await writesResume(at);
    await killed.replaced();
    await allHealthy();
    log.record('kill -9 primary postgres', at, resumed.at);
    await verifyLedger(cluster, writers, { rules });
  });

  it('SIGSTOP of every process of the primary Postgres for 30 s, with a second writer starting during the freeze', async () => {
    const before = await cluster.statusNow();
    const at = Date.now();
    const thaw = freezePostgres(cluster, before.primary!);
    try {
      await new Promise((r) => setTimeout(r, 1_000));
      newWriter('during-freeze', 1_000_000_000);
      const after = await cluster.waitForStatus('a new primary', (s) => s.ruleStatus === 'serving' && s.primary !== before.primary, 30_000);
      const resumed = await waitFor('a write in the new term', () => writers.flatMap((w) => w.acknowledged).find((ack) => ack.term === after.term), { timeoutMs: 30_000, intervalMs: 20 });
      log.record('SIGSTOP primary postgres', at, resumed.at);
      const wakeAt = at + 30_000;
      while (Date.now() < wakeAt) await new Promise((r) => setTimeout(r, 200));
    } finally {
      thaw();
    }
    // The old primary wakes up: nothing it held may resurface, nothing acknowledged may vanish.
    await allHealthy();
    await verifyLedger(cluster, writers, { rules });
  });

  it('kill -9 of the primary pooler', async () => {
    const at = Date.now();
    process.kill(supervisedPid(cluster, `pooler-${await primary()}`), 'SIGKILL');
    const resumed = await writesResume(at);
    await allHealthy();
    log.record('kill -9 primary pooler', at, resumed.at);
    await verifyLedger(cluster, writers, { rules });
  });

  it('kill -9 of the orchestrator in the middle of a failover', async () => {
    const before = await cluster.statusNow();
    const at = Date.now();
    let thawPrimary = () => undefined as void;
    try {
      // The election waits for the frozen standby pooler: the policy (ANY 1 of two standbys)
      // needs both standbys recruited once the primary is gone.
      const { election } = await killOrchestratorMidElection(cluster, () => (thawPrimary = freezePostgres(cluster, before.primary!)), 30_000);
      const after = await cluster.waitForStatus('another orchestrator finishing the failover', (s) => s.ruleStatus === 'serving' && s.primary !== before.primary, 60_000);
      expect(after.term).toBeGreaterThan(election.term);
      const resumed = await waitFor('a write in the new term', () => writers.flatMap((w) => w.acknowledged).find((ack) => ack.term === after.term), { timeoutMs: 30_000, intervalMs: 20 });
      await allHealthy();
      log.record('kill orchestrator mid-failover', at, resumed.at);
    } finally {
      thawPrimary();
    }
    await verifyLedger(cluster, writers, { rules });
  });

  it('kill -9 of the orchestrator in the middle of a switchover: another takes it over at once, and the CLI follows it to its end', async () => {
    const before = await cluster.statusNow();
    const at = Date.now();
    // The switchover waits for every standby's answer before it chooses.
    let switchover: ReturnType<typeof polygres> | undefined;
    const { election } = await killOrchestratorMidElection(cluster, () => (switchover = polygres(['switchover', '--yes', '--state-dir', cluster.stateDir])), 30_000);
    const result = await switchover!;
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('(the orchestrator asked was lost; another finished the election)');
    const after = await cluster.statusNow();
    expect(after.primary).not.toBe(before.primary);
    expect(after.term).toBeGreaterThan(election.term);
    const resumed = await writesResume(at);
    await allHealthy();
    log.record('kill orchestrator mid-switchover', at, resumed.at);
    await verifyLedger(cluster, writers, { rules });
  });

  it('restart of etcd: writes go on while the topology store is away', async () => {
    const at = Date.now();
    process.kill(supervisedPid(cluster, 'etcd'), 'SIGKILL');
    await new Promise((r) => setTimeout(r, 3_000));
    log.record('kill -9 etcd', at, Date.now());
    expect(writers[0]!.acknowledged.some((ack) => ack.at > at + 1_000)).toBe(true);
    await allHealthy();
    await verifyLedger(cluster, writers, { rules });
  });

  it('a standby the policy needs goes down: commits wait, and are not acknowledged unsafely', async () => {
    const raise = await polygres(['set-durability', 'atLeast:3', '--state-dir', cluster.stateDir]);
    expect(raise.stderr).toBe('');
    const status = await cluster.statusNow();
    const standby = status.instances.find((i) => i.name !== status.primary)!.name;
    const thaw = freezeProcess(supervisedPid(cluster, `pooler-${standby}`));
    try {
      killPostgres(cluster, standby);
      const blocked = await cluster.waitForStatus('commits reported blocked', (s) => s.problems.some((p) => p.startsWith('commits are blocked')));
      expect(blocked.problems.join('\n')).toContain('needs 2 streaming standby(s) but 1 stream');
      const blockedAt = Date.now();
      await new Promise((r) => setTimeout(r, 3_000));
      const acknowledgedWhileBlocked = writers.flatMap((w) => w.acknowledged).filter((ack) => ack.at > blockedAt + 500);
      expect(acknowledgedWhileBlocked).toEqual([]);
    } finally {
      thaw();
    }
    await allHealthy();
    const lower = await polygres(['set-durability', 'atLeast:2', '--state-dir', cluster.stateDir]);
    expect(lower.stderr).toBe('');
    await verifyLedger(cluster, writers, { rules });
  });

  it(`${FAILOVERS} failovers and switchovers in a row`, async () => {
    for (let round = 0; round < FAILOVERS; round++) {
      const before = await cluster.statusNow();
      const at = Date.now();
      const kind = ['freeze', 'switchover', 'kill'][round % 3]!;
      let thaw = () => undefined as void;
      let killed: { replaced(): Promise<void> } | undefined;
      if (kind === 'freeze') thaw = freezePostgres(cluster, before.primary!);
      else if (kind === 'kill') killed = killPostgres(cluster, before.primary!);
      else expect((await polygres(['switchover', '--yes', '--state-dir', cluster.stateDir])).stderr).toBe('');
      try {
        if (kind !== 'kill') await cluster.waitForStatus('a new primary', (s) => s.ruleStatus === 'serving' && (s.term ?? 0) > before.term!, 30_000);
        const resumed = await writesResume(at);
        thaw();
        await killed?.replaced();
        await allHealthy();
        log.record(`round ${round + 1}: ${kind}`, at, resumed.at);
      } catch (error) {
        console.error(`round ${round + 1} (${kind}) failed:\n${await cluster.diagnostics()}`);
        throw error;
      } finally {
        thaw();
      }
    }
    await verifyLedger(cluster, writers, { rules });
    const history = JSON.parse((await polygres(['history', '--json', '--state-dir', cluster.stateDir])).stdout) as { outcome: string }[];
    expect(history.filter((entry) => entry.outcome === 'done').length).toBeGreaterThanOrEqual(Math.floor((FAILOVERS * 2) / 3));
  }, 60_000 + FAILOVERS * 40_000);

  it('every acknowledgement, late ones included, is verified once the writers have stopped', async () => {
    await Promise.all(writers.map((writer) => writer.stop()));
    expect(writers.every((writer) => writer.acknowledged.length > 0)).toBe(true);
    await verifyLedger(cluster, writers, { rules });
  });
});

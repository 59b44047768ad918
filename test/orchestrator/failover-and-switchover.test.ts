/**
 * The orchestrator on a real local cluster: failover after kill -9 of the primary and from a
 * frozen one (but not from a busy one), and with a standby that cannot answer; planned
 * switchover through the CLI, live policy changes and their refusals. Fault storms are in
 * test/chaos.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freezePostgres, freezeProcess, killPostgres, postmasterPid } from '../support/faults';
import { verifyLedger } from '../support/ledger-check';
import { type Acknowledgement, insertLedgerRow, LEDGER_DDL, type LedgerWriter, startLedgerWriter } from '../support/ledger-writer';
import { type LocalCluster, settledStatus, startLocalCluster } from '../support/local-cluster';
import { polygres } from '../support/polygres-cli';
import { RuleRecorder } from '../support/rule-recorder';
import { waitFor } from '../../runtime/src/util/net';

describe('failover, switchover and policy changes', () => {
  let cluster: LocalCluster;
  let writer: LedgerWriter;
  let rules: RuleRecorder;
  /** The tests' own writes (a statement loop, a session that waited): checked with the writer's. */
  const own = { name: 'tests', acknowledged: [] as Acknowledgement[] };

  beforeAll(async () => {
    cluster = await startLocalCluster(inject('testRoot'));
    await cluster.query(LEDGER_DDL);
    rules = await RuleRecorder.start(cluster.layout);
    writer = startLedgerWriter(cluster, 'orchestrator-test');
  });
  afterAll(async () => {
    await writer?.stop();
    await rules?.stop();
    await cluster?.stop();
  });

  it('keeps accepting writes when the primary Postgres is killed (restart in place or failover)', async () => {
    const before = await cluster.statusNow();
    const killedAt = Date.now();
    const killed = killPostgres(cluster, before.primary!);
    const firstWrite = await waitForAckAfter(writer, killedAt);
    await killed.replaced(); // before it, the status may still show the dead server healthy
    const after = await cluster.waitForStatus('a healthy serving primary', (s) => s.ruleStatus === 'serving' && s.instances.some((i) => i.name === s.primary && i.healthy));
    console.log(`kill -9 of ${before.primary}: primary now ${after.primary} (term ${before.term} -> ${after.term}), first write after ${firstWrite.at - killedAt} ms`);
    await verifyLedger(cluster, [writer, own], { rules });
  });

  it('fails over from a frozen primary, and the old primary rejoins when it wakes up', async () => {
    const before = await cluster.statusNow();
    const frozenAt = Date.now();
    const thaw = freezePostgres(cluster, before.primary!);
    try {
      const after = await cluster.waitForStatus('a new primary', (s) => s.ruleStatus === 'serving' && (s.term ?? 0) > before.term! && s.primary !== before.primary);
      const firstWrite = await waitFor('a write in the new term', () => writer.acknowledged.find((ack) => ack.term === after.term));
      console.log(`SIGSTOP of ${before.primary}: primary now ${after.primary} (term ${after.term}), first write of the new term after ${firstWrite.at - frozenAt} ms`);
    } finally {
      thaw();
    }
    await verifyLedger(cluster, [writer, own], { rules });
    const rejoined = await cluster.statusNow();
    expect(rejoined.instances.find((i) => i.name === before.primary)).toMatchObject({ role: 'replica', healthy: true, replicationState: 'streaming' });
  });

  it('fails over again when the new primary freezes while the old one is being rewound onto it', async () => {
    // The former primary's rewind (a CHECKPOINT on the new primary, then pg_rewind from it) waits
    // on the new primary; when that one freezes mid-rewind, the election that replaces it needs
    // the former primary's vote (atLeast(2): both standbys are candidates), so the rewind must
    // give way to the recruit, and the orchestrators' loops must not wait for it either.
    const before = await cluster.statusNow();
    const thawFirst = freezePostgres(cluster, before.primary!);
    let thawSecond: () => void = () => undefined;
    try {
      const second = await cluster.waitForStatus('a new primary', (s) => s.ruleStatus === 'serving' && (s.term ?? 0) > before.term! && s.primary !== before.primary && s.instances.some((i) => i.name === s.primary && i.healthy));
      thawFirst();
      const rejoining = await cluster.waitForStatus(`${before.primary} fenced and rejoining`, (s) => ['needs-rejoin', 'rewinding', 'cloning'].includes(s.instances.find((i) => i.name === before.primary)?.phase ?? ''));
      thawSecond = freezePostgres(cluster, second.primary!);
      console.log(`froze ${second.primary} while ${before.primary} was ${rejoining.instances.find((i) => i.name === before.primary)!.phase}`);
      const third = await cluster.waitForStatus('a third primary', (s) => s.ruleStatus === 'serving' && (s.term ?? 0) > second.term! && s.primary !== second.primary);
      await waitFor('a write in the newest term', () => writer.acknowledged.find((ack) => ack.term === third.term));
    } finally {
      thawFirst();
      thawSecond();
    }
    await verifyLedger(cluster, [writer, own], { rules });
    // Both former primaries come back as streaming standbys, the interrupted one included.
    await cluster.waitForStatus('a settled cluster: every instance healthy, the standbys streaming', settledStatus, 120_000);
  });

  it('keeps a busy primary: health queries unanswered while Postgres runs are reported, not failed over', async () => {
    const before = await cluster.statusNow();
    const primary = cluster.layout.instances.find((instance) => instance.name === before.primary)!;
    // The health query reads polygres.rule_history: holding its lock makes every health query
    // miss its deadline while the postmaster runs — what a saturated primary looks like.
    const blocker = await cluster.connect(primary.port);
    try {
      await blocker.query('BEGIN');
      await blocker.query('LOCK TABLE polygres.rule_history IN ACCESS EXCLUSIVE MODE');
      const busy = await cluster.waitForStatus('the primary reported busy', (s) => s.instances.some((i) => i.name === primary.name && /^busy: /.test(i.error ?? '')));
      expect(busy.instances.find((i) => i.name === primary.name)!.healthy).toBe(true);
      // Longer than the old failover trigger (one missed 800 ms deadline plus 800 ms of grace).
      await new Promise((resolve) => setTimeout(resolve, 4_000));
      await blocker.query('ROLLBACK');
    } finally {
      await blocker.end();
    }
    const after = await cluster.waitForStatus('the primary answering again', (s) => s.instances.some((i) => i.name === primary.name && i.healthy && i.error === null));
    expect(after.term).toBe(before.term);
    expect(after.primary).toBe(before.primary);
    await verifyLedger(cluster, [writer, own], { rules });
  });

  it('fails over while a standby cannot answer: it reports where its WAL files end, and no acknowledged write is lost', async () => {
    const before = await cluster.waitForStatus('a settled cluster: every instance healthy, the standbys streaming', settledStatus, 120_000);
    const silent = before.instances.find((i) => i.name !== before.primary)!.name;
    // Its postmaster stopped, its WAL receiver running: it streams and acknowledges, but no
    // session can start there, so its recruit cannot ask Postgres how far it is.
    const thaw = freezeProcess(postmasterPid(cluster, silent));
    try {
      const killedAt = Date.now();
      killPostgres(cluster, before.primary!);
      // The other standby wins, unless the silent one received more before the kill: then it
      // blocks the election (nobody may win who reaches less far) until it answers again.
      const after = await cluster.waitForStatus('a new primary', (s) => s.ruleStatus === 'serving' && (s.term ?? 0) > before.term! && s.primary !== before.primary, 30_000).catch(() => undefined);
      console.log(after ? `with ${silent} silent: primary now ${after.primary} (term ${after.term}), first write after ${(await waitForAckAfter(writer, killedAt)).at - killedAt} ms` : `with ${silent} silent: no election could finish until it answered`);
    } finally {
      thaw();
    }
    const log = readFileSync(join(cluster.layout.logDir, `pooler-${silent}.log`), 'utf8').split('\n');
    expect(log.some((line) => line.includes('cannot read the standby position from Postgres: reporting the end of its WAL files'))).toBe(true);
    await cluster.waitForStatus('a serving primary', (s) => s.ruleStatus === 'serving' && (s.term ?? 0) > before.term! && s.instances.some((i) => i.name === s.primary && i.healthy));
    await verifyLedger(cluster, [writer, own], { rules });
    await cluster.waitForStatus('a settled cluster: every instance healthy, the standbys streaming', settledStatus, 120_000);
  });

  it('switches over to a chosen instance with the CLI and records it in history', async () => {
    const before = await cluster.statusNow();
    const target = before.instances.find((i) => i.name !== before.primary)!.name;
    const result = await polygres(['switchover', '--yes', '--to', target, '--state-dir', cluster.stateDir]);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain(`${target} is primary (was ${before.primary})`);
    const after = await cluster.statusNow();
    expect(after.primary).toBe(target);
    expect(after.term).toBeGreaterThan(before.term!);
    const history = await polygres(['history', '--json', '--state-dir', cluster.stateDir]);
    const entries = JSON.parse(history.stdout) as { term: number; action: string; outcome: string }[];
    expect(entries).toContainEqual(expect.objectContaining({ term: after.term, action: 'switchover', outcome: 'done' }));
    expect(entries).toContainEqual(expect.objectContaining({ action: 'failover', outcome: 'done' }));
    await verifyLedger(cluster, [writer, own], { rules });
  });

  it('holds statements through a switchover: a loop of single-statement writes sees no error', async () => {
    const client = await cluster.connect();
    const errors: string[] = [];
    let written = 0;
    let running = true;
    const loop = (async () => {
      while (running) {
        try {
          own.acknowledged.push(await insertLedgerRow(client, -1_000_000 - written, 'loop'));
          written += 1;
        } catch (error) {
          errors.push((error as Error).message);
          return;
        }
      }
    })();
    await new Promise((r) => setTimeout(r, 500));
    const before = written;
    const result = await polygres(['switchover', '--yes', '--state-dir', cluster.stateDir]);
    expect(result.stderr).toBe('');
    await new Promise((r) => setTimeout(r, 500));
    running = false;
    await loop;
    await client.end();
    expect(errors).toEqual([]);
    expect(written).toBeGreaterThan(before);
  });

  it("sends a session waiting for the primary zone gateway's own pool to the new primary after a switchover", async () => {
    // The gateway on the primary's host serves it from its own pool (one hop). Pin every
    // connection of that pool, so one more session's write waits in its queue, then switch over:
    // the waiting write must run on the new primary, not wait for (or reach) the old one.
    const before = await cluster.statusNow();
    const zone = cluster.layout.instances.find((instance) => instance.name === before.primary)!.zone;
    const port = cluster.layout.gateways.find((gateway) => gateway.zone === zone)!.port;
    const holders = await Promise.all(Array.from({ length: 20 }, () => cluster.connect(port)));
    for (const holder of holders) holder.on('error', () => undefined);
    const waiting = await cluster.connect(port);
    waiting.on('error', () => undefined);
    try {
      await Promise.all(holders.map((holder) => holder.query('BEGIN; SELECT 1')));
      const write = insertLedgerRow(waiting, -2_000_000, 'waiter');
      write.catch(() => undefined); // awaited below; not an unhandled rejection meanwhile
      const state = await Promise.race([write.then(() => 'answered'), new Promise((resolve) => setTimeout(() => resolve('waiting'), 300))]);
      expect(state).toBe('waiting');
      const result = await polygres(['switchover', '--yes', '--state-dir', cluster.stateDir]);
      expect(result.stderr).toBe('');
      const after = await cluster.statusNow();
      expect(after.primary).not.toBe(before.primary);
      const newPrimary = cluster.layout.instances.find((instance) => instance.name === after.primary)!;
      const acknowledged = await write;
      own.acknowledged.push(acknowledged);
      expect(acknowledged.server).toBe(newPrimary.name);
    } finally {
      await Promise.all([...holders, waiting].map((client) => client.end().catch(() => undefined)));
    }
  });

  it('refuses a switchover to the current primary or to an unknown instance', async () => {
    const { primary } = await cluster.statusNow();
    const same = await polygres(['switchover', '--yes', '--to', primary!, '--state-dir', cluster.stateDir]);
    expect(same.code).toBe(2);
    expect(same.stderr).toContain('is already the primary');
    const unknown = await polygres(['switchover', '--yes', '--to', 'zone-x-9', '--state-dir', cluster.stateDir]);
    expect(unknown.stderr).toContain('"zone-x-9" is not a member');
  });

  it('changes the durability policy live, without restarting Postgres', async () => {
    const { primary } = await cluster.statusNow();
    const pid = postmasterPid(cluster, primary!);
    const result = await polygres(['set-durability', 'atLeast:3', '--state-dir', cluster.stateDir]);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/durability atLeast\(3\), synchronous_standby_names ANY 2 \(/);
    const [setting] = await cluster.query<{ synchronous_standby_names: string }>('SHOW synchronous_standby_names');
    expect(setting?.synchronous_standby_names).toMatch(/^ANY 2 \(/);
    const status = await cluster.statusNow();
    expect(status.policy).toBe('atLeast(3)');
    expect(postmasterPid(cluster, primary!)).toBe(pid);
    await verifyLedger(cluster, [writer, own], { rules });
  });

  it('refuses a policy the instances cannot satisfy, naming the fix', async () => {
    const result = await polygres(['set-durability', 'atLeast:4', '--state-dir', cluster.stateDir]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('atLeast(4) needs at least 4 instances but 3 are declared');
  });

  it('goes back to atLeast(2)', async () => {
    const result = await polygres(['set-durability', 'atLeast(2)', '--state-dir', cluster.stateDir]);
    expect(result.stdout).toMatch(/synchronous_standby_names ANY 1 \(/);
  });

  it('every acknowledged write, the statement loop and the waiting session included, is verified once the writer has stopped', async () => {
    await writer.stop();
    expect(own.acknowledged.map((ack) => ack.id)).toContain(-2_000_000);
    expect(own.acknowledged.filter((ack) => ack.id <= -1_000_000 && ack.id > -2_000_000).length).toBeGreaterThan(0);
    await verifyLedger(cluster, [writer, own], { rules });
  });
});

async function waitForAckAfter(writer: LedgerWriter, time: number) {
  for (let waited = 0; waited < 30_000; waited += 50) {
    const ack = writer.firstAckAfter(time);
    if (ack) return ack;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('no write was acknowledged within 30 s');
}

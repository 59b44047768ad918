/**
 * The `kubernetes-multi-az` example, as synthesized, running in the pod sandbox: every pod in
 * its own namespaces, as uid 999 with fsGroup 999, probes run as the kubelet runs them, Services
 * as kube-proxy routes them (test/pod-sandbox/README.md). It must form and stay writable
 * through the faults a Kubernetes cluster sees: a pod re-created, the primary's pod killed,
 * a whole zone lost.
 */
import { appendFileSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Pod } from '../pod-sandbox/pod-runner';
import { acknowledgerViolations } from '../support/acknowledger-check';
import { LEDGER_DDL, LedgerWriter } from '../support/ledger-writer';
import { appTarget, FORM_TIMEOUT_MS, instancePod, orchestratorHistory, query, read, replication, sandboxTopo, startExample, superuserTarget, synthesizeExample, waitFormed, waitSettled, type ExampleInSandbox } from './sandbox-support';
import { RuleRecorder } from '../support/rule-recorder';

const REJOIN_TIMEOUT_MS = 240_000;
const ZONES = ['us-east-1a', 'us-east-1b', 'us-east-1c'];
/** How long the link flaps: half a minute in CI, longer with SANDBOX_FLAPPING_MS (chaos:long sets a minute). */
const FLAPPING_MS = Number(process.env.SANDBOX_FLAPPING_MS ?? 30_000);
/** How long the lossy link lasts: 20 s in CI, longer with SANDBOX_LOSSY_MS. */
const LOSSY_MS = Number(process.env.SANDBOX_LOSSY_MS ?? 20_000);
/** Every Deployment, etcd and the three instances rolled on two cores. */
const ROLLING_UPDATE_TIMEOUT_MS = 600_000;

describe('pod sandbox: the kubernetes-multi-az example', () => {
  let example: ExampleInSandbox;
  let rules: RuleRecorder;

  beforeAll(async () => {
    example = await startExample();
    await waitFormed(example.sandbox);
    await query(superuserTarget(example.sandbox), LEDGER_DDL);
    rules = await RuleRecorder.start(sandboxTopo(example.sandbox));
  }, FORM_TIMEOUT_MS + 60_000);

  afterAll(async () => {
    await rules?.stop();
    await example?.stop();
  }, 120_000);

  // A failure explains itself: the pods, and what the orchestrators and poolers logged last.
  afterEach((context) => {
    if (context.task.result?.state !== 'fail' || !example) return;
    const { sandbox } = example;
    const lines = [sandbox.describe()];
    for (const pod of sandbox.pods()) {
      const container = pod.labels['app.kubernetes.io/component'] === 'postgres' ? 'pooler' : pod.labels['app.kubernetes.io/component'];
      if (container === 'orchestrator' || container === 'pooler') lines.push(`--- ${pod.name}`, sandbox.logs(pod.name, container, 25));
    }
    console.log(lines.join('\n'));
  });

  /** Every acknowledged write of `writer` is in the table, read through the gateway, and came from the primary of its time. */
  async function expectNothingLost(writer: LedgerWriter): Promise<void> {
    const rows = await read<{ id: string }>(superuserTarget(example.sandbox), 'SELECT id FROM ledger WHERE writer = $1', [writer.name]);
    const stored = new Set(rows.map((row) => Number(row.id)));
    const lost = writer.acknowledged.filter((ack) => !stored.has(ack.id)).map((ack) => ack.id);
    expect(writer.acknowledged.length).toBeGreaterThan(0);
    expect(lost).toEqual([]);
    // From the primary etcd named at the time, one instance per timeline: no two histories.
    expect(acknowledgerViolations([writer], rules.tenures())).toEqual([]);
  }

  /**
   * From a settled cluster, a writer committing through the cluster-wide Service; `fault`
   * runs once it has acknowledgements, and every acknowledged write is checked after it
   * stopped, late ones included.
   */
  async function underWrites(name: string, base: number, fault: (writer: LedgerWriter, primary: string) => Promise<void>): Promise<void> {
    const { sandbox } = example;
    const { primary } = await waitSettled(sandbox, REJOIN_TIMEOUT_MS);
    const writer = new LedgerWriter(superuserTarget(sandbox), name, base);
    writer.start();
    try {
      await sandbox.waitFor('writes acknowledged', () => writer.acknowledged.length >= 20, 60_000);
      await fault(writer, primary);
    } finally {
      await writer.stop();
    }
    await expectNothingLost(writer);
  }

  /**
   * A settled cluster, the zone to cut (the primary's, or a standby's) and a writer in every
   * zone, each through its own zone's gateway, all acknowledged: `inside` writes in the zone
   * to cut, `outside` in the others.
   */
  async function beforeCut(name: string, base: number, whose: 'primary' | 'standby') {
    const { sandbox } = example;
    const { primary, standbys } = await waitSettled(sandbox, REJOIN_TIMEOUT_MS);
    const cut = whose === 'primary' ? primary : standbys[0]!.name;
    const cutZone = sandbox.zoneOf(sandbox.pod(instancePod(cut)))!;
    const writers = ZONES.map((zone, index) => new LedgerWriter(superuserTarget(sandbox, `orders-gateway-${zone}`), `${name}-${zone}`, base + index * 100_000));
    for (const writer of writers) writer.start();
    await sandbox.waitFor('every zone writing', () => writers.every((writer) => writer.acknowledged.length >= 10), 60_000);
    const inside = writers[ZONES.indexOf(cutZone)]!;
    return { primary, cut, cutZone, writers, inside, outside: writers.filter((writer) => writer !== inside) };
  }

  /** The longest gap between acknowledgements of `writers` since `from`, for test/chaos/RESULTS.md. */
  function reportOutage(scenario: string, writers: readonly LedgerWriter[], from: number): void {
    const outageMs = Math.max(...writers.map((writer) => writer.longestPause(from, Date.now())));
    console.log(`partition scenario: ${scenario}: outage ${outageMs} ms`);
    // `npm run chaos:long` summarises these with its own faults (scripts/chaos-summary.mjs).
    if (process.env.CHAOS_LOG) appendFileSync(process.env.CHAOS_LOG, `${JSON.stringify({ fault: `partition (Kubernetes sandbox): ${scenario}`, injectedAt: from, recoveredAt: Date.now(), outageMs })}\n`);
  }

  /** The writers stopped (late acknowledgements included), then every one of them verified. */
  async function stopAndVerify(writers: readonly LedgerWriter[]): Promise<void> {
    await Promise.all(writers.map((writer) => writer.stop()));
    for (const writer of writers) await expectNothingLost(writer);
    expect(acknowledgerViolations(writers, rules.tenures())).toEqual([]);
  }

  async function streamingStandbys(): Promise<string[]> {
    const { standbys } = await replication(example.sandbox);
    return standbys.filter((standby) => standby.state === 'streaming' && standby.sync === 'quorum').map((standby) => standby.name).sort();
  }

  it('forms: etcd has quorum, the primary has the two synchronous standbys the policy needs, and the application commits through the Service', async () => {
    const { sandbox } = example;
    expect(sandbox.pods({ 'app.kubernetes.io/component': 'etcd' }).map((pod) => pod.ready)).toEqual([true, true, true]);
    const { primary, standbys } = await replication(sandbox);
    expect(standbys.map((standby) => [standby.state, standby.sync])).toEqual([['streaming', 'quorum'], ['streaming', 'quorum']]);
    expect(standbys.map((standby) => standby.name)).not.toContain(primary);
    // Postgres' own log reaches `kubectl logs` beside the pooler's records.
    expect(sandbox.logs(instancePod(primary), 'pooler', 5_000)).toMatch(/"component":"postgres".*"source":"postgres".*database system is ready to accept connections/);
    // The bootstrap Job made the database and the user; the user's Secret holds its password.
    const app = appTarget(sandbox);
    await query(app, 'CREATE TABLE IF NOT EXISTS sandbox_orders (id serial PRIMARY KEY, item text NOT NULL)');
    const [inserted] = await query<{ id: number }>(app, "INSERT INTO sandbox_orders (item) VALUES ('first') RETURNING id");
    const [read] = await query<{ item: string }>(app, 'SELECT item FROM sandbox_orders WHERE id = $1', [inserted!.id]);
    expect(read?.item).toBe('first');
  }, 120_000);

  it('internal traffic is TLS: standbys stream over it, a pooler takes no plaintext session, an admin API answers only HTTPS with the internal certificate', async () => {
    const { sandbox } = example;
    const [streams] = await query<{ streams: string; tls: string }>(
      superuserTarget(sandbox),
      'SELECT count(*) AS streams, count(*) FILTER (WHERE s.ssl) AS tls FROM pg_stat_replication r JOIN pg_stat_ssl s ON s.pid = r.pid',
    );
    expect(Number(streams!.streams)).toBe(2);
    expect(Number(streams!.tls)).toBe(2);
    const { primary } = await replication(sandbox);
    const pooler = sandbox.pod(instancePod(primary)).address!.ip;
    const plaintext = new Client({ host: pooler, port: 6432, user: 'postgres', database: 'postgres', ssl: false, connectionTimeoutMillis: 5_000 });
    plaintext.on('error', () => undefined);
    await expect(plaintext.connect()).rejects.toThrow(/accepts only TLS connections \(the cluster uses internal TLS\)/);
    await plaintext.end().catch(() => undefined);
    // The orchestrator's admin API, verified for its Service's name; plain HTTP gets no answer.
    expect((await orchestratorHistory(sandbox)).length).toBeGreaterThan(0);
    const plainAnswer = await fetch(`http://${sandbox.serviceIp('orders-orchestrator-us-east-1a')}:8009/v1/history`, { signal: AbortSignal.timeout(5_000) }).then(() => true, () => false);
    expect(plainAnswer).toBe(false);
  }, 60_000);

  it("a user's password rotated (apply -replace of its random_password) reaches the role: the new one logs in, the old one no longer does", async () => {
    const { sandbox } = example;
    const before = appTarget(sandbox);
    const config = synthesizeExample();
    const generated = Object.keys(config.resource['random_password'] ?? {}).find((id) => id.includes('user-orders_app'));
    sandbox.apply(config, { replace: [`random_password.${generated}`] });
    const after = appTarget(sandbox);
    expect(after.password).not.toBe(before.password);
    // The bootstrap Job's template changed with the checksum: Terraform replaced it and it ran again.
    await sandbox.waitFor('the new password accepted', async () => (await query(after, 'SELECT 1 AS one'))[0]?.one === 1, 180_000);
    await expect(query(before, 'SELECT 1')).rejects.toMatchObject({ code: '28P01' });
  }, 240_000);

  it('the superuser and replication passwords rotated in place: the primary sets them on the roles, the stream goes on, and a standby re-created streams with the new one', async () => {
    const { sandbox } = example;
    await waitSettled(sandbox, REJOIN_TIMEOUT_MS);
    const before = superuserTarget(sandbox);
    const config = synthesizeExample();
    const rotated = Object.keys(config.resource['random_password'] ?? {}).filter((id) => /superuser-password|replication-password/.test(id));
    expect(rotated).toHaveLength(2);
    sandbox.apply(config, { replace: rotated.map((id) => `random_password.${id}`) });
    const after = superuserTarget(sandbox);
    expect(after.password).not.toBe(before.password);
    // The kubelet rewrote secrets.json in every instance pod; no pod was restarted for it.
    await sandbox.waitFor('the new superuser password accepted', async () => (await query(after, 'SELECT 1 AS one').catch(() => []))[0]?.one === 1, 180_000);
    await expect(query(before, 'SELECT 1')).rejects.toMatchObject({ code: '28P01' });
    expect(await streamingStandbys()).toHaveLength(2);
    // A standby's next stream (its pod re-created) logs in with the new replication password.
    const [standby] = await streamingStandbys();
    await sandbox.deletePod(instancePod(standby!));
    await sandbox.waitFor(`${standby} streaming again`, async () => (await streamingStandbys()).includes(standby!), REJOIN_TIMEOUT_MS);
  }, 180_000 + REJOIN_TIMEOUT_MS * 2);

  it('a cancel sent to either gateway replica of a zone cancels the query, whichever replica holds the session', async () => {
    const { sandbox } = example;
    const replicas = sandbox.pods({ 'app.kubernetes.io/component': 'gateway', 'polygres.dev/zone': 'us-east-1a' });
    expect(replicas).toHaveLength(2);
    const [first, second] = replicas as [Pod, Pod];
    for (const [holder, other] of [[first, second], [second, first]] as const) {
      const client = new Client({ ...superuserTarget(sandbox), host: holder.address!.ip });
      client.on('error', () => undefined);
      await client.connect();
      try {
        const outcome = client.query('SELECT pg_sleep(60)').then(() => 'finished', (error: { code?: string }) => error.code);
        await sleep(500);
        const { processID, secretKey } = client as unknown as { processID: number; secretKey: number };
        await sendCancel(other.address!.ip, 5432, processID, secretKey);
        expect(await outcome).toBe('57014');
      } finally {
        await client.end().catch(() => undefined);
      }
    }
  }, 120_000);

  it('a standby pod deleted and re-created on its volume, group permissions re-applied to every file, rejoins and streams', async () => {
    const { sandbox } = example;
    const [standby] = (await waitSettled(sandbox, REJOIN_TIMEOUT_MS)).standbys.map((entry) => entry.name);
    const pod = instancePod(standby!);
    const oldIp = sandbox.pod(pod).address!.ip;
    const volume = join(sandbox.root, 'volumes', `data-${pod}`);
    // As a kubelet that applies fsGroup on every mount: pgdata 2770, the pgpass file 0660.
    sandbox.applyFsGroupOnNextMount(`data-${pod}`);
    await sandbox.deletePod(pod);
    await sandbox.waitFor(`${pod} re-created and Ready`, () => sandbox.pods().some((p) => p.name === pod && p.ready && p.address!.ip !== oldIp), REJOIN_TIMEOUT_MS);
    await sandbox.waitFor(`${standby} streaming again`, async () => (await streamingStandbys()).includes(standby!), REJOIN_TIMEOUT_MS);
    // The kubelet's change reached the volume; Postgres runs because the runtime put 0700 back.
    expect(statSync(volume).mode & 0o2070).toBe(0o2070);
    expect(statSync(join(volume, 'data', standby!, 'pgdata')).mode & 0o7777).toBe(0o700);
  }, REJOIN_TIMEOUT_MS * 2);

  it('the primary pod killed: a standby is promoted with no acknowledged write lost, and the old primary comes back as a standby', async () => {
    const { sandbox } = example;
    await underWrites('primary-pod-killed', 1_000_000, async (writer, primary) => {
      await sandbox.crashPod(instancePod(primary));
      await sandbox.waitFor('another primary', async () => (await replication(sandbox)).primary !== primary, REJOIN_TIMEOUT_MS);
      const promotedAt = Date.now();
      await sandbox.waitFor('writes after the failover', () => writer.acknowledged.some((ack) => ack.at > promotedAt), 60_000);
      await sandbox.waitFor(`${primary} streaming as a standby`, async () => (await streamingStandbys()).includes(primary), REJOIN_TIMEOUT_MS);
    });
  }, REJOIN_TIMEOUT_MS * 3);

  it("the primary's postmaster killed: the instance starts again in the same pod, which reaps the dead postmaster, and streams", async () => {
    const { sandbox } = example;
    const before = await waitSettled(sandbox, REJOIN_TIMEOUT_MS);
    const pod = instancePod(before.primary);
    const postmaster = postmasterOf(pod);
    const restarts = sandbox.pod(pod).containers.get('pooler')!.restarts;
    process.kill(postmaster, 'SIGKILL');
    // Unreaped, the dead postmaster would still pass kill(pid, 0) and Postgres never restart.
    await sandbox.waitFor(`a new postmaster in ${pod}`, () => postmasterOf(pod) !== postmaster, REJOIN_TIMEOUT_MS);
    await sandbox.waitFor('two streaming standbys', async () => (await streamingStandbys()).length === 2, REJOIN_TIMEOUT_MS);
    expect(sandbox.processes(pod).filter((process) => process.command === '')).toEqual([]);
    expect(sandbox.pod(pod).containers.get('pooler')!.restarts).toBe(restarts);
  }, REJOIN_TIMEOUT_MS * 3);

  /** The postmaster: the Postgres process whose parent is not a Postgres process. */
  function postmasterOf(pod: string): number {
    const processes = example.sandbox.processes(pod);
    const postgres = processes.filter((process) => process.command.startsWith('/usr/lib/postgresql/'));
    const pids = new Set(postgres.map((process) => process.pid));
    const [postmaster] = postgres.filter((process) => !pids.has(process.ppid));
    if (!postmaster) throw new Error(`no postmaster in ${pod}: ${JSON.stringify(processes)}`);
    return postmaster.pid;
  }

  it("the primary's pod deleted (a drain, a rolling update): it switches over before it stops, and no acknowledged write is lost", async () => {
    const { sandbox } = example;
    await underWrites('primary-pod-deleted', 3_000_000, async (_writer, primary) => {
      const deletedAt = new Date().toISOString();
      await sandbox.deletePod(instancePod(primary));
      const elections = (await orchestratorHistory(sandbox)).filter((entry) => entry.at >= deletedAt && entry.outcome === 'done' && ['switchover', 'failover'].includes(entry.action));
      expect(elections.map((entry) => entry.action)).toEqual(['switchover']);
      expect((await replication(sandbox)).primary).not.toBe(primary);
      await sandbox.waitFor(`${primary} back as a streaming standby`, async () => (await streamingStandbys()).includes(primary), REJOIN_TIMEOUT_MS);
    });
  }, REJOIN_TIMEOUT_MS * 3);

  it('a rolling update of the image tag: the orchestrators restart the standbys one at a time, switch over, then restart the old primary, with writes continuing and none lost', async () => {
    const { sandbox } = example;
    const api = sandbox.api!;
    await underWrites('rolling-update', 4_000_000, async (writer, primary) => {
      const startedAt = new Date().toISOString();
      const deletedBefore = api.deletions.length;
      sandbox.apply(synthesizeExample({ imageTag: '0.1.1' }));
      const serving = () => sandbox.pods().filter((pod) => pod.labels['app.kubernetes.io/component'] !== 'bootstrap');
      await sandbox.waitFor('every pod Ready on the new image', () => {
        const pods = serving();
        return pods.length === 15 && pods.every((pod) => pod.ready && pod.spec.container.every((container: { image: string }) => container.image.endsWith(':0.1.1')));
      }, ROLLING_UPDATE_TIMEOUT_MS);
      const finishedAt = Date.now();
      // OnDelete: nothing but the orchestrators restarted the instance pods, each once, the
      // old primary's last, after a switchover and never a failover.
      const deletions = api.deletions.slice(deletedBefore);
      expect(deletions.map((deletion) => deletion.by)).toEqual(['orders-orchestrator', 'orders-orchestrator', 'orders-orchestrator']);
      expect(deletions.at(-1)!.pod).toBe(instancePod(primary));
      expect(new Set(deletions.map((deletion) => deletion.pod)).size).toBe(3);
      const history = (await orchestratorHistory(sandbox)).filter((entry) => entry.at >= startedAt);
      const elections = history.filter((entry) => entry.outcome === 'done' && ['switchover', 'failover'].includes(entry.action));
      expect(elections.map((entry) => entry.action)).toEqual(['switchover']);
      expect(Date.parse(elections[0]!.at)).toBeGreaterThan(deletions[1]!.at);
      expect(Date.parse(elections[0]!.at)).toBeLessThan(deletions[2]!.at);
      // Writes went on through the update and after it.
      expect(writer.acknowledged.some((ack) => ack.at > deletions[0]!.at && ack.at < deletions[2]!.at)).toBe(true);
      await sandbox.waitFor('writes after the update', () => writer.acknowledged.some((ack) => ack.at > finishedAt), 60_000);
      await sandbox.waitFor('every instance streaming again', async () => (await streamingStandbys()).length === 2, REJOIN_TIMEOUT_MS);
      await sandbox.waitFor('the update recorded as done', async () => (await orchestratorHistory(sandbox)).some((entry) => entry.at >= startedAt && entry.action === 'rolling-update' && entry.outcome === 'done'), 60_000);
    });
  }, ROLLING_UPDATE_TIMEOUT_MS + REJOIN_TIMEOUT_MS * 2);

  it("the primary's zone cut off from the other zones and their etcd members, its clients still connected: the others elect, no acknowledged write is lost, and after the heal the old primary streams and its zone's clients commit again", async () => {
    const { sandbox } = example;
    const { primary, cutZone, writers, inside, outside } = await beforeCut('partition', 5_000_000, 'primary');
    try {
      await sandbox.partition([cutZone]);
      const cutAt = Date.now();
      await sandbox.waitFor('the other zones writing to a new primary', () => outside.every((writer) => writer.acknowledged.some((ack) => ack.sentAt > cutAt && ack.server !== primary)), REJOIN_TIMEOUT_MS);
      // The cut-off primary has lost its quorum: whatever its zone's clients send, it acknowledges nothing.
      await sleep(10_000);
      expect(inside.acknowledged.filter((ack) => ack.sentAt > cutAt + 1_000)).toEqual([]);
      await sandbox.heal();
      const healedAt = Date.now();
      await sandbox.waitFor(`${primary} back as a streaming standby`, async () => (await streamingStandbys()).includes(primary), REJOIN_TIMEOUT_MS);
      await sandbox.waitFor(`${cutZone}'s clients committing again`, () => inside.acknowledged.some((ack) => ack.sentAt > healedAt), REJOIN_TIMEOUT_MS);
      reportOutage("primary's zone cut off", outside, cutAt);
      reportOutage("primary's zone cut off, its own clients until after the heal", [inside], cutAt);
    } finally {
      await sandbox.heal();
      await stopAndVerify(writers);
    }
  }, REJOIN_TIMEOUT_MS * 4);

  it("a standby's zone cut off: writes go on through the other zones, which still make the quorum, and after the heal the standby streams", async () => {
    const { sandbox } = example;
    const { primary, cut: standby, cutZone, writers, outside } = await beforeCut('standby-cut', 6_000_000, 'standby');
    try {
      await sandbox.partition([cutZone]);
      const cutAt = Date.now();
      await sandbox.waitFor('writes after the cut in the other zones', () => outside.every((writer) => writer.acknowledged.some((ack) => ack.sentAt > cutAt + 2_000)), REJOIN_TIMEOUT_MS);
      expect(outside.flatMap((writer) => writer.acknowledged.filter((ack) => ack.sentAt > cutAt).map((ack) => ack.server))).toEqual(expect.arrayContaining([primary]));
      await sandbox.heal();
      await sandbox.waitFor(`${standby} streaming again`, async () => (await streamingStandbys()).includes(standby), REJOIN_TIMEOUT_MS);
      reportOutage("a standby's zone cut off", outside, cutAt);
    } finally {
      await sandbox.heal();
      await stopAndVerify(writers);
    }
  }, REJOIN_TIMEOUT_MS * 3);

  it("a one-way cut: what the primary's zone sends is lost while it still hears the others — the others elect, nothing acknowledged is lost", async () => {
    const { sandbox } = example;
    const { primary, cutZone, writers, outside } = await beforeCut('one-way', 7_000_000, 'primary');
    try {
      await sandbox.partition([cutZone], 'out');
      const cutAt = Date.now();
      await sandbox.waitFor('the other zones writing to a new primary', () => outside.every((writer) => writer.acknowledged.some((ack) => ack.sentAt > cutAt && ack.server !== primary)), REJOIN_TIMEOUT_MS);
      await sandbox.heal();
      await sandbox.waitFor(`${primary} back as a streaming standby`, async () => (await streamingStandbys()).includes(primary), REJOIN_TIMEOUT_MS);
      reportOutage("one-way cut of the primary's zone", outside, cutAt);
    } finally {
      await sandbox.heal();
      await stopAndVerify(writers);
    }
  }, REJOIN_TIMEOUT_MS * 3);

  it("a lossy link: a third of the packets between the primary's zone and the others lost for a while — nothing acknowledged is lost, and every zone commits and every instance streams once it is whole", async () => {
    const { sandbox } = example;
    const { cutZone, writers } = await beforeCut('lossy', 9_000_000, 'primary');
    try {
      await sandbox.partition([cutZone], 'both', 33);
      const lossyAt = Date.now();
      await sleep(LOSSY_MS);
      await sandbox.heal();
      const healedAt = Date.now();
      await sandbox.waitFor('two streaming standbys', async () => (await streamingStandbys()).length === 2, REJOIN_TIMEOUT_MS);
      await sandbox.waitFor('every zone writing once the link is whole', () => writers.every((writer) => writer.acknowledged.some((ack) => ack.sentAt > healedAt)), REJOIN_TIMEOUT_MS);
      reportOutage("lossy link (33%) around the primary's zone (every zone's writer)", writers, lossyAt);
    } finally {
      await sandbox.heal();
      await stopAndVerify(writers);
    }
  }, REJOIN_TIMEOUT_MS * 3);

  it("a flapping link: the primary's zone cut and healed every few seconds for half a minute — nothing acknowledged is lost, and every instance streams once it stays healed", async () => {
    const { sandbox } = example;
    const { cutZone, writers } = await beforeCut('flapping', 8_000_000, 'primary');
    try {
      const until = Date.now() + FLAPPING_MS;
      while (Date.now() < until) {
        await sandbox.partition([cutZone]);
        await sleep(3_000);
        await sandbox.heal();
        await sleep(3_000);
      }
      const healedAt = Date.now();
      await sandbox.waitFor('two streaming standbys', async () => (await streamingStandbys()).length === 2, REJOIN_TIMEOUT_MS);
      await sandbox.waitFor('every zone writing again', () => writers.every((writer) => writer.acknowledged.some((ack) => ack.sentAt > healedAt)), REJOIN_TIMEOUT_MS);
      reportOutage('flapping link of the first primary\'s zone (every zone\'s writer)', writers, until - FLAPPING_MS);
    } finally {
      await sandbox.heal();
      await stopAndVerify(writers);
    }
  }, REJOIN_TIMEOUT_MS * 3);

  it('a whole zone lost: writes resume in the other zones, and when the zone returns its instance streams again', async () => {
    const { sandbox } = example;
    await underWrites('zone-lost', 2_000_000, async (writer, primary) => {
      const zone = sandbox.zoneOf(sandbox.pod(instancePod(primary)))!;
      await sandbox.failZone(zone);
      const lostAt = Date.now();
      await sandbox.waitFor('writes in the other zones', () => writer.acknowledged.some((ack) => ack.at > lostAt + 1_000), REJOIN_TIMEOUT_MS);
      const during = await replication(sandbox);
      expect(during.primary).not.toBe(primary);
      // surviveZoneFailure: one synchronous standby is enough while a zone is gone.
      expect(during.standbys.filter((standby) => standby.state === 'streaming')).toHaveLength(1);
      sandbox.restoreZone(zone);
      await sandbox.waitFor(`${primary} streaming after the zone returned`, async () => (await streamingStandbys()).length === 2, REJOIN_TIMEOUT_MS);
    });
  }, REJOIN_TIMEOUT_MS * 3);
});

/** A CancelRequest (16 bytes, no TLS), as libpq sends one to the address it connected to. */
function sendCancel(host: string, port: number, processId: number, secretKey: number): Promise<void> {
  const request = Buffer.alloc(16);
  request.writeInt32BE(16, 0);
  request.writeInt32BE(80877102, 4);
  request.writeInt32BE(processId, 8);
  request.writeInt32BE(secretKey, 12);
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port }, () => socket.end(request));
    socket.once('close', () => resolve());
    socket.once('error', reject);
  });
}

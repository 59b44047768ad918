/**
 * Metrics and health checks on a real local cluster: every service serves /metrics without a
 * token and without a secret, under standard process metric names; the cluster view follows a
 * paused standby's lag, a switchover and a failover; /primary answers 200 on exactly one
 * pooler, across a switchover too.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freezePostgres } from '../support/faults';
import { type LocalCluster, startLocalCluster } from '../support/local-cluster';
import { polygres } from '../support/polygres-cli';
import { type ScrapedSample, sampleValue, scrape, scrapeFamilies } from '../support/prometheus-text';
import { metricNamesUsedByDeployFiles } from '../support/deploy-metric-names';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { waitFor } from '../../runtime/src/util/net';
import { SUPERUSER } from '../../runtime/src/deployment/secrets';
import type { LocalClusterStatus } from '../../runtime/src/cli/status-command';

describe('metrics and health checks', () => {
  let cluster: LocalCluster;
  let status: LocalClusterStatus;
  const orchestrator = () => status.orchestrators[0]!.http;
  const poolerOf = (name: string) => status.instances.find((instance) => instance.name === name)!.http;

  beforeAll(async () => {
    cluster = await startLocalCluster(inject('testRoot'));
    status = await cluster.status();
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  /** Polls the first orchestrator's metrics until `accept` takes them. */
  const waitForMetrics = (what: string, accept: (samples: ScrapedSample[]) => boolean) =>
    waitFor(what, async () => {
      const samples = await scrape(orchestrator());
      return accept(samples) ? samples : undefined;
    }, { timeoutMs: 60_000, intervalMs: 250 });

  /** Every pooler's /primary: who answers 200, with the term it answered for. */
  const primaryAnswers = async () =>
    Promise.all(
      status.instances.map(async (instance) => {
        const response = await fetch(`${instance.http}/primary`);
        const body = (await response.json()) as { ok: boolean; term?: number; reason?: string };
        return { instance: instance.name, status: response.status, body };
      }),
    );

  it('lists each service’s HTTP URL in status --json', () => {
    expect(status.gateways).toHaveLength(3);
    for (const service of [...status.gateways, ...status.instances, ...status.orchestrators]) expect(service.http).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(status.orchestrators.map((o) => o.name).sort()).toEqual(cluster.layout.orchestrators.map((o) => o.name).sort());
  });

  it('serves /metrics on every service without a token, with standard process metrics and no secret', async () => {
    const secrets = [cluster.secrets.superuserPassword, cluster.secrets.replicationPassword, cluster.secrets.adminToken];
    const services = [
      ...status.gateways.map((g) => ({ url: g.http, service: 'gateway' })),
      ...status.instances.map((i) => ({ url: i.http, service: 'pooler' })),
      ...status.orchestrators.map((o) => ({ url: o.http, service: 'orchestrator' })),
    ];
    for (const { url, service } of services) {
      const response = await fetch(`${url}/metrics`);
      expect(response.status).toBe(200);
      const text = await response.text();
      for (const secret of secrets) expect(text).not.toContain(secret);
      expect(text).toMatch(new RegExp(`^process_cpu_seconds_total\\{service="${service}"\\} `, 'm'));
      expect(text).toMatch(/^nodejs_heap_size_used_bytes\{service=/m);
      expect(text).not.toMatch(/^polygres_(gateway|pooler)_process_/m);
      expect(text).toMatch(/^polygres_etcd_request_duration_seconds_count\{/m);
    }
  });

  it('states the cluster: term, serving, the one primary, the policy and every instance up', async () => {
    const samples = await waitForMetrics('every instance up in the metrics', (s) => status.instances.every((i) => sampleValue(s, 'polygres_instance_up', { instance: i.name }) === 1));
    expect(sampleValue(samples, 'polygres_term')).toBe(status.term);
    expect(sampleValue(samples, 'polygres_rule_serving')).toBe(1);
    const primaries = samples.filter((s) => s.name === 'polygres_instance_is_primary' && s.value === 1).map((s) => s.labels.instance);
    expect(primaries).toEqual([status.primary]);
    expect(samples.some((s) => s.name === 'polygres_durability_policy_info' && s.value === 1 && s.labels.policy === status.policy)).toBe(true);
    expect(sampleValue(samples, 'polygres_synchronous_standbys')).toBeGreaterThanOrEqual(sampleValue(samples, 'polygres_synchronous_standbys_required')!);
    for (const instance of status.instances) {
      expect(sampleValue(samples, 'polygres_instance_timeline', { instance: instance.name, zone: instance.zone })).toBeGreaterThanOrEqual(1);
      expect(sampleValue(samples, 'polygres_instance_lsn_bytes', { instance: instance.name })).toBeGreaterThan(0);
    }
  });

  it('answers the health checks by role', async () => {
    const answers = await primaryAnswers();
    expect(answers.filter((a) => a.status === 200).map((a) => a.instance)).toEqual([status.primary]);
    expect(answers.find((a) => a.status === 503)?.body.reason).toBe(`the primary is ${status.primary}`);
    for (const instance of status.instances) {
      const replica = await fetch(`${instance.http}/replica?lag=16MB`);
      expect(replica.status).toBe(instance.name === status.primary ? 503 : 200);
      for (const path of ['/health', '/liveness', '/readiness']) expect((await fetch(`${instance.http}${path}`)).status).toBe(200);
    }
    const bad = await fetch(`${status.instances[0]!.http}/replica?lag=lots`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { reason: string }).reason).toMatch(/lag=16MB/);
  });

  it('shows a paused standby’s replay lag, in the metrics and in /replica?lag=', async () => {
    const standby = cluster.layout.instances.find((instance) => instance.name !== status.primary)!;
    const client = await cluster.connect(standby.port);
    try {
      await client.query('SELECT pg_wal_replay_pause()');
      await cluster.query('CREATE TABLE lag_probe AS SELECT g, repeat(\'x\', 100) AS pad FROM generate_series(1, 50000) g');
      // The WAL still streams while replay is paused: the flush lag, large while the table's WAL
      // is on its way on a loaded machine, comes back under 1 MB; the replay lag stays.
      const lag = (s: Parameters<typeof sampleValue>[0], kind: string) => sampleValue(s, 'polygres_replication_lag_bytes', { instance: standby.name, kind });
      const lagging = await waitForMetrics('replay lag on the paused standby, its flush caught up', (s) => (lag(s, 'replay') ?? 0) > 1024 * 1024 && (lag(s, 'flush') ?? Infinity) < 1024 * 1024);
      expect(lag(lagging, 'replay')).toBeGreaterThan(1024 * 1024);
      expect(lag(lagging, 'flush')).toBeLessThan(1024 * 1024);
      expect((await fetch(`${poolerOf(standby.name)}/replica?lag=1MB`)).status).toBe(503);
      expect((await fetch(`${poolerOf(standby.name)}/replica?lag=1GB`)).status).toBe(200);
    } finally {
      await client.query('SELECT pg_wal_replay_resume()');
      await client.end();
    }
    await waitForMetrics('the standby caught up', (s) => sampleValue(s, 'polygres_replication_lag_bytes', { instance: standby.name, kind: 'replay' }) === 0);
  });

  it('keeps /primary on exactly one pooler across a switchover, and counts it', async () => {
    const target = status.instances.find((instance) => instance.name !== status.primary)!.name;
    const seen: { instance: string; term: number }[] = [];
    let switching = true;
    const watching = (async () => {
      while (switching) for (const answer of await primaryAnswers()) if (answer.status === 200) seen.push({ instance: answer.instance, term: answer.body.term! });
    })();
    const result = await polygres(['switchover', '--to', target, '--yes', '--state-dir', cluster.stateDir]);
    switching = false;
    await watching;
    expect(result.code).toBe(0);
    status = await cluster.waitForStatus('the new primary serving', (s) => s.ruleStatus === 'serving' && s.primary === target && s.instances.some((i) => i.name === target && i.healthy && i.role === 'primary'));
    expect(seen.length).toBeGreaterThan(0);
    // One instance per term, whichever moment was looked at.
    const byTerm = new Map<number, Set<string>>();
    for (const { instance, term } of seen) byTerm.set(term, (byTerm.get(term) ?? new Set()).add(instance));
    for (const instances of byTerm.values()) expect(instances.size).toBe(1);
    await waitFor('/primary on the new primary', async () => ((await primaryAnswers()).filter((a) => a.status === 200).map((a) => a.instance).join() === target ? true : undefined));
    // The count comes from the history, read when scraped; the term from the orchestrator's
    // latest look at the cluster, which may be a tick behind on a loaded machine.
    const samples = await waitForMetrics('the switchover counted and the new term', (s) => sampleValue(s, 'polygres_primary_changes_total', { reason: 'switchover' }) === 1 && sampleValue(s, 'polygres_term') === status.term);
    expect(sampleValue(samples, 'polygres_instance_is_primary', { instance: target })).toBe(1);
  });

  it('counts a failover and its outage, and the actions and problems behind it', async () => {
    const before = await cluster.statusNow();
    const thaw = freezePostgres(cluster, before.primary!);
    try {
      status = await cluster.waitForStatus('a new primary', (s) => s.ruleStatus === 'serving' && (s.term ?? 0) > before.term! && s.primary !== before.primary);
    } finally {
      thaw();
    }
    const samples = await waitForMetrics('the failover counted', (s) => sampleValue(s, 'polygres_primary_changes_total', { reason: 'failover' }) === 1);
    const outage = sampleValue(samples, 'polygres_last_failover_outage_seconds');
    console.log(`failover of a frozen ${before.primary}: outage ${outage} s by the metrics`);
    expect(outage).toBeGreaterThan(0);
    expect(outage).toBeLessThan(60);
    // The orchestrator that acted counted the election; every one of them saw the problem.
    const everyOrchestrator = await Promise.all(status.orchestrators.map((o) => scrape(o.http)));
    const actions = everyOrchestrator.flatMap((s) => s.filter((sample) => sample.name === 'polygres_orchestrator_actions_total' && sample.labels.kind === 'failover' && sample.labels.outcome === 'done'));
    expect(actions.reduce((sum, sample) => sum + sample.value, 0)).toBe(1);
    expect(everyOrchestrator.some((s) => s.some((sample) => sample.name === 'polygres_orchestrator_problems_detected_total' && /^primary-/.test(sample.labels.problem ?? '')))).toBe(true);
    await waitFor('/primary on the new primary only', async () => ((await primaryAnswers()).filter((a) => a.status === 200).map((a) => a.instance).join() === status.primary ? true : undefined), { timeoutMs: 60_000 });
  });

  it('documents every metric it exports in the README', async () => {
    const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
    const scraped = await Promise.all([...status.gateways, ...status.instances, ...status.orchestrators].map((service) => scrape(service.http)));
    const names = new Set(scraped.flat().map((sample) => sample.name.replace(/_(bucket|sum|count)$/, '')).filter((name) => name.startsWith('polygres_')));
    expect(names.size).toBeGreaterThan(30);
    expect([...names].filter((name) => !readme.includes(`\`${name}\``))).toEqual([]);
  });

  it('exports every metric the dashboard and the alert rules read', async () => {
    const families = await Promise.all([...status.gateways, ...status.instances, ...status.orchestrators].map((service) => scrapeFamilies(service.http)));
    const exported = new Set(families.flatMap((names) => [...names]));
    const used = metricNamesUsedByDeployFiles();
    expect(used.size).toBeGreaterThan(20);
    expect([...used].filter((name) => !exported.has(name))).toEqual([]);
  });

  it('counts the gateway’s logins by outcome and times its statements by route', async () => {
    const gateway = status.gateways[0]!;
    await cluster.query('SELECT 1');
    const intruder = new Client({ host: '127.0.0.1', port: gateway.port, user: SUPERUSER, password: 'not-the-password', database: 'postgres' });
    await expect(intruder.connect()).rejects.toThrow(/password/);
    const samples = await scrape(gateway.http);
    expect(sampleValue(samples, 'polygres_gateway_connections_total', { tls: 'no', outcome: 'accepted' })).toBeGreaterThan(0);
    expect(sampleValue(samples, 'polygres_gateway_connections_total', { tls: 'no', outcome: 'auth_failed' })).toBe(1);
    expect(sampleValue(samples, 'polygres_gateway_statement_duration_seconds_count', { route: 'primary' })).toBeGreaterThan(0);
  });
});

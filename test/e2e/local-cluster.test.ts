/**
 * The foundation end to end, through the real CLI: `polygres up` gives a replicated
 * three-zone cluster; writes through a gateway reach both standbys under the declared
 * policy; status reports it; two clusters run side by side; `polygres logs` merges what
 * every process logged; `down` leaves nothing behind.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { allPorts } from '../../runtime/src/deployment/layout';
import { canBind } from '../../runtime/src/util/net';
import { isAlive } from '../../runtime/src/util/processes';
import { type LocalCluster, startLocalCluster } from '../support/local-cluster';
import { POLYGRES, polygres } from '../support/polygres-cli';
import { waitFor } from '../../runtime/src/util/net';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

describe('polygres up → write → read on standbys → down', () => {
  let cluster: LocalCluster;

  beforeAll(async () => {
    cluster = await startLocalCluster(inject('testRoot'));
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('prints progress and a ready-to-paste psql connection string', () => {
    expect(cluster.upOutput).toContain('✓ a write through the gateway committed');
    const gateway = cluster.layout.gateways[0]!;
    expect(cluster.upOutput).toContain(`psql "postgresql://postgres:${encodeURIComponent(cluster.secrets.superuserPassword)}@127.0.0.1:${gateway.port}/postgres"`);
  });

  it('reports the cluster in status --json', async () => {
    const status = await cluster.status();
    expect(status.cluster).toBe('local');
    expect(status.primary).toBe('zone-a-0');
    expect(status.term).toBe(1);
    expect(status.policy).toBe('atLeast(2)');
    expect(status.instances.map((i) => [i.name, i.zone, i.role])).toEqual([
      ['zone-a-0', 'zone-a', 'primary'],
      ['zone-b-0', 'zone-b', 'replica'],
      ['zone-c-0', 'zone-c', 'replica'],
    ]);
    for (const instance of status.instances) {
      const planned = cluster.layout.instances.find((i) => i.name === instance.name)!;
      expect(instance).toMatchObject({ host: '127.0.0.1', port: planned.port, poolerPort: planned.poolerPort, healthy: true });
      expect(instance.lsn).toMatch(/^[0-9A-F]+\/[0-9A-F]+$/);
    }
    expect(status.gateways.map((g) => [g.zone, g.host, g.port])).toEqual(cluster.layout.gateways.map((g) => [g.zone, '127.0.0.1', g.port]));
  });

  it('keeps the password out of status unless --show-secrets, and says where it is kept', async () => {
    const password = cluster.secrets.superuserPassword;
    const text = await polygres(['status', '--state-dir', cluster.stateDir]);
    const json = await polygres(['status', '--json', '--state-dir', cluster.stateDir]);
    expect(text.code).toBe(0);
    expect(json.code).toBe(0);
    for (const output of [text.stdout, json.stdout]) {
      expect(output).not.toContain(password);
      expect(output).not.toContain(encodeURIComponent(password));
    }
    expect(text.stdout).toContain(`password: "superuserPassword" in ${cluster.layout.secretsFile}`);
    const parsed = JSON.parse(json.stdout) as { connectionUrl: string; secretsFile: string; version: string };
    expect(parsed.connectionUrl).toBe(`postgresql://postgres@127.0.0.1:${cluster.layout.gateways[0]!.port}/postgres`);
    expect(parsed.secretsFile).toBe(cluster.layout.secretsFile);
    expect(parsed.version).toBe((await polygres(['--version'])).stdout.trim());
    const shown = await polygres(['status', '--json', '--show-secrets', '--state-dir', cluster.stateDir]);
    expect((JSON.parse(shown.stdout) as { connectionUrl: string }).connectionUrl).toContain(`postgres:${encodeURIComponent(password)}@`);
  });

  it('asks before purging or switching over, and with no terminal to ask on does nothing without --yes', async () => {
    const purge = await polygres(['down', '--purge', '--state-dir', cluster.stateDir]);
    expect(purge.code).toBe(2);
    expect(purge.stderr).toContain('pass --yes to confirm');
    const switchover = await polygres(['switchover', '--state-dir', cluster.stateDir]);
    expect(switchover.code).toBe(2);
    expect(switchover.stderr).toContain('pass --yes to confirm');
    const status = await cluster.statusNow();
    expect([status.term, status.primary]).toEqual([1, 'zone-a-0']);
    const [row] = await cluster.query<{ ok: number }>('SELECT 1 AS ok');
    expect(row?.ok).toBe(1);
  });

  it('replicates writes made through a gateway to both standbys', async () => {
    await cluster.query('CREATE TABLE e2e_items (id int PRIMARY KEY, note text)');
    await cluster.query("INSERT INTO e2e_items SELECT g, 'row ' || g FROM generate_series(1, 100) g");
    // Writes are synchronous to one standby (ANY 1); the other catches up by streaming.
    for (const standby of cluster.layout.instances.slice(1)) {
      let count = 0;
      for (let attempt = 0; attempt < 100 && count !== 100; attempt++) {
        const rows = await cluster.query<{ count: string }>('SELECT count(*) FROM e2e_items', standby.port).catch(() => [{ count: '0' }]);
        count = Number(rows[0]?.count);
        if (count !== 100) await new Promise((r) => setTimeout(r, 100));
      }
      expect(count, `rows on ${standby.name}`).toBe(100);
      const [recovery] = await cluster.query<{ pg_is_in_recovery: boolean }>('SELECT pg_is_in_recovery()', standby.port);
      expect(recovery?.pg_is_in_recovery).toBe(true);
    }
  });

  it('runs the primary with synchronous replication that realises atLeast(2)', async () => {
    const [setting] = await cluster.query<{ synchronous_standby_names: string }>('SHOW synchronous_standby_names');
    expect(setting?.synchronous_standby_names).toBe('ANY 1 ("zone-b-0", "zone-c-0")');
    const replication = await cluster.query<{ application_name: string; state: string; sync_state: string }>(
      'SELECT application_name, state, sync_state FROM pg_stat_replication ORDER BY application_name',
    );
    expect(replication).toEqual([
      { application_name: 'zone-b-0', state: 'streaming', sync_state: 'quorum' },
      { application_name: 'zone-c-0', state: 'streaming', sync_state: 'quorum' },
    ]);
    const [rule] = await cluster.query<{ term: string; primary_instance: string }>('SELECT term, primary_instance FROM polygres.rule_history');
    expect(rule).toEqual({ term: '1', primary_instance: 'zone-a-0' });
  });

  it('reports pools with polygres pools: the primary zone\'s gateway serves from its own pool, another zone\'s over the link', async () => {
    await cluster.query('SELECT 1');
    await cluster.query('SELECT 1', cluster.layout.gateways[1]!.port);
    const result = await polygres(['pools', '--json', '--state-dir', cluster.stateDir]);
    expect(result.stderr).toBe('');
    type Report = { pools: { user: string; database: string; idle: number; active: number; node?: string }[] };
    const reports = JSON.parse(result.stdout) as ({ instance: string; report: Report } | { gateway: string; report: Report })[];
    const pooler = reports.find((entry) => 'instance' in entry && entry.instance === 'zone-a-0')!;
    // zone-b's gateway reached the primary through zone-a-0's pooler...
    expect(pooler.report.pools).toContainEqual(expect.objectContaining({ user: 'postgres', database: 'postgres', active: 0 }));
    // ...while zone-a's gateway, on the primary's host, holds the connections itself.
    const gateway = reports.find((entry) => 'gateway' in entry && entry.gateway === 'zone-a')!;
    expect(gateway.report.pools).toContainEqual(expect.objectContaining({ node: 'zone-a-0', user: 'postgres', database: 'postgres', active: 0 }));
    const remote = reports.find((entry) => 'gateway' in entry && entry.gateway === 'zone-b')!;
    expect(remote.report.pools).toEqual([]);
    const table = await polygres(['pools', '--state-dir', cluster.stateDir]);
    expect(table.stdout).toContain('gateway-zone-a');
    expect(table.stdout).toContain('postgres/postgres on zone-a-0');
  });

  it('polygres logs merges every service, Postgres and etcd into one time-ordered stream', async () => {
    const result = await polygres(['logs', '--state-dir', cluster.stateDir]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n').map(parseLogLine);
    expect(new Set(lines.map((line) => line.source.split('/')[0]))).toEqual(new Set(['supervisor', 'etcd', 'orchestrator', 'pooler', 'postgres', 'gateway']));
    expect(lines.map((line) => line.source)).toContain('postgres/zone-a-0');
    // Time order across files; a file's own order is kept, so time goes back only between two lines of one file.
    for (const [index, line] of lines.entries()) {
      const before = lines[index - 1];
      if (before && line.time < before.time) expect(line.source, `${before.text}\n${line.text}`).toBe(before.source);
    }
  });

  it('polygres logs --service, --since and --json select and shape the stream; a bad value exits 2 with the fix', async () => {
    const poolers = await polygres(['logs', '--service', 'pooler', '--since', '1h', '--state-dir', cluster.stateDir]);
    expect(poolers.code).toBe(0);
    const sources = new Set(poolers.stdout.trimEnd().split('\n').map((line) => parseLogLine(line).source));
    expect(sources).toEqual(new Set(cluster.layout.instances.map((instance) => `pooler/${instance.name}`)));
    const json = await polygres(['logs', '--json', '--service', 'etcd,postgres/zone-a-0', '--state-dir', cluster.stateDir]);
    const records = json.stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(new Set(records.map((record) => record.source))).toEqual(new Set(['etcd', 'postgres/zone-a-0']));
    for (const record of records) expect(Object.keys(record).slice(0, 5)).toEqual(['time', 'level', 'service', 'source', 'msg']);
    const badSince = await polygres(['logs', '--since', 'yesterday', '--state-dir', cluster.stateDir]);
    expect(badSince.code).toBe(2);
    expect(badSince.stderr).toContain('give how far back (30s, 10m, 2h, 1d) or an ISO time');
    const badService = await polygres(['logs', '--service', 'zone-q', '--state-dir', cluster.stateDir]);
    expect(badService.code).toBe(2);
    expect(badService.stderr).toContain('--service "zone-q" matches no log of this cluster; give one or more (comma-separated) of: supervisor, etcd, orchestrator, pooler, postgres, gateway,');
  });

  it('polygres logs --follow prints what is logged after it started, until SIGINT', async () => {
    const child = spawn(process.execPath, [POLYGRES, 'logs', '--follow', '--service', 'postgres', '--state-dir', cluster.stateDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await waitFor('the backlog', () => (output.length > 0 ? true : undefined), { timeoutMs: 30_000 });
      const marker = `follow-marker-${Date.now()}`;
      await cluster.query(`DO $$ BEGIN RAISE LOG '${marker}'; END $$`);
      const line = await waitFor('the marker', () => output.split('\n').find((candidate) => candidate.includes(`  ${marker}`)), { timeoutMs: 30_000 });
      expect(parseLogLine(line)).toMatchObject({ level: 'INFO', source: 'postgres/zone-a-0' });
      child.kill('SIGINT');
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('refuses a second `up` of a running cluster', async () => {
    const again = await polygres(['up', '--detach', '--state-dir', cluster.stateDir]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already running');
  });

  it('leaves no process and no listening port after down', async () => {
    const pids = pidsOf(cluster);
    expect(pids.length).toBeGreaterThanOrEqual(11);
    await cluster.stop();
    for (const pid of pids) expect(isAlive(pid), `pid ${pid}`).toBe(false);
    for (const { port, owner } of allPorts(cluster.layout)) expect(await canBind('127.0.0.1', port), `${owner} port ${port}`).toBe(true);
  });
});

/** A line of `polygres logs`: time, level, source, the rest. */
function parseLogLine(text: string): { time: number; level: string; source: string; text: string } {
  const match = /^(\S+Z) {2}(TRACE|DEBUG|INFO |WARN |ERROR|FATAL) {2}(\S+) /.exec(text);
  if (!match) throw new Error(`not a line of polygres logs: ${text}`);
  return { time: Date.parse(match[1]!), level: match[2]!.trim(), source: match[3]!, text };
}

/** Every pid the cluster runs: supervisor, children, and each postmaster. */
function pidsOf(cluster: LocalCluster): number[] {
  const run = cluster.layout.runDir;
  const pids = readdirSync(run)
    .filter((name) => name.endsWith('.pid'))
    .map((name) => Number(readFileSync(join(run, name), 'utf8').trim()));
  for (const instance of cluster.layout.instances) {
    pids.push(Number(readFileSync(join(instance.instanceDir, 'pgdata', 'postmaster.pid'), 'utf8').split('\n')[0]));
  }
  return pids;
}

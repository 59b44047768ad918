/**
 * Real clients through a gateway of a local cluster: psql (\copy both ways, \watch, cancel
 * with Ctrl-C), pgbench in every protocol mode, node-postgres (parameters, prepared
 * statements, cursors, LISTEN/NOTIFY), Python's psycopg2 and Perl's DBD::Pg; SCRAM and
 * TLS with verify-full; a CancelRequest sent through another gateway.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import Cursor from 'pg-cursor';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type LocalCluster, startLocalCluster } from '../support/local-cluster';
import { createCertificate } from '../../runtime/src/tls/certificates';
import { waitFor } from '../../runtime/src/util/net';
import { polygres } from '../support/polygres-cli';
import { sampleValue, scrape } from '../support/prometheus-text';

const run = promisify(execFile);
const PSQL = '/usr/bin/psql';
const PGBENCH = '/usr/lib/postgresql/15/bin/pgbench';

describe('clients through a gateway', () => {
  let cluster: LocalCluster;
  let env: NodeJS.ProcessEnv;
  let port: number;
  let dir: string;

  beforeAll(async () => {
    cluster = await startLocalCluster(inject('testRoot'));
    port = cluster.layout.gateways[0]!.port;
    env = { ...process.env, PGHOST: '127.0.0.1', PGPORT: String(port), PGUSER: 'postgres', PGPASSWORD: cluster.secrets.superuserPassword, PGDATABASE: 'postgres' };
    dir = mkdtempSync(join(inject('testRoot'), 'clients-'));
    await cluster.query('CREATE TABLE items (id int PRIMARY KEY, name text)');
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('psql: \\copy in and out', async () => {
    writeFileSync(join(dir, 'in.csv'), '1,one\n2,two\n3,three\n');
    const copyIn = await run(PSQL, ['-v', 'ON_ERROR_STOP=1', '-c', `\\copy items FROM '${join(dir, 'in.csv')}' CSV`], { env });
    expect(copyIn.stdout.trim()).toBe('COPY 3');
    await run(PSQL, ['-v', 'ON_ERROR_STOP=1', '-c', `\\copy (SELECT * FROM items ORDER BY id) TO '${join(dir, 'out.csv')}' CSV`], { env });
    expect(readFileSync(join(dir, 'out.csv'), 'utf8')).toBe('1,one\n2,two\n3,three\n');
  });

  it('psql: \\copy of 40 MB in and out, while another session keeps querying over the same link', async () => {
    // Through another zone's gateway, both sessions ride its one multiplexed link to the
    // primary's pooler (the primary zone's own gateway serves from its own pool): the bulk copy
    // must be flow-controlled (paused and resumed per session) without stalling the other.
    const remotePort = cluster.layout.gateways[1]!.port;
    const remoteEnv = { ...env, PGPORT: String(remotePort) };
    const rows = 400_000;
    const lines: string[] = [];
    for (let i = 1; i <= rows; i++) lines.push(`${i},${'x'.repeat(90)}\n`);
    const source = lines.join('');
    writeFileSync(join(dir, 'bulk.csv'), source);
    await cluster.query('CREATE TABLE bulk (id int, filler text)');
    const other = await cluster.connect(remotePort);
    let answered = 0;
    let copying = true;
    const queries = (async () => {
      while (copying) {
        await other.query('SELECT 1');
        answered += 1;
      }
    })();
    try {
      const copyIn = await run(PSQL, ['-v', 'ON_ERROR_STOP=1', '-c', `\\copy bulk FROM '${join(dir, 'bulk.csv')}' CSV`], { env: remoteEnv });
      expect(copyIn.stdout.trim()).toBe(`COPY ${rows}`);
      await run(PSQL, ['-v', 'ON_ERROR_STOP=1', '-c', `\\copy (SELECT * FROM bulk ORDER BY id) TO '${join(dir, 'bulk-out.csv')}' CSV`], { env: remoteEnv });
    } finally {
      copying = false;
      await queries;
      await other.end();
    }
    expect(readFileSync(join(dir, 'bulk-out.csv'), 'utf8') === source).toBe(true);
    expect(answered).toBeGreaterThan(0);
    // It was the link: the primary's pooler served these sessions.
    const pools = JSON.parse((await polygres(['pools', '--json', '--state-dir', cluster.stateDir])).stdout) as { instance?: string; report: { pools: { user: string }[] } }[];
    expect(pools.find((entry) => entry.instance === 'zone-a-0')?.report.pools).toContainEqual(expect.objectContaining({ user: 'postgres' }));
  });

  it('psql: \\watch runs the query repeatedly until interrupted', async () => {
    const child = spawn(PSQL, ['-At'], { env });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stdin.end('SELECT 42 AS answer \\watch 0.2\n');
    await new Promise((r) => setTimeout(r, 1_500));
    child.kill('SIGINT');
    await new Promise((resolve) => child.once('exit', resolve));
    expect(stdout.split('\n').filter((line) => line === '42').length).toBeGreaterThanOrEqual(3);
  });

  it('psql: Ctrl-C cancels the running query (a CancelRequest through the gateway)', async () => {
    const child = spawn(PSQL, ['-c', 'SELECT pg_sleep(60)'], { env });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    await new Promise((r) => setTimeout(r, 1_000));
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).not.toBe(0);
    expect(stderr).toContain('canceling statement due to user request');
  });

  it('pg_cancel_backend from another session cancels a query running through the gateway', async () => {
    const sleeper = await cluster.connect();
    const other = await cluster.connect();
    // Settled into a value at once: the cancel may land before anything awaits the query.
    const running = sleeper.query("SELECT pg_sleep(60) AS marker_for_cancel_test").then(() => 'completed', (error: unknown) => error);
    let pid: number | undefined;
    for (let attempt = 0; attempt < 50 && pid === undefined; attempt++) {
      const rows = (await other.query("SELECT pid FROM pg_stat_activity WHERE query LIKE '%marker_for_cancel_test%' AND pid <> pg_backend_pid()")).rows;
      pid = rows[0]?.pid;
      if (pid === undefined) await new Promise((r) => setTimeout(r, 100));
    }
    expect((await other.query('SELECT pg_cancel_backend($1) AS done', [pid])).rows[0].done).toBe(true);
    expect(await running).toMatchObject({ code: '57014' });
    await sleeper.end();
    await other.end();
  });

  for (const mode of ['simple', 'extended', 'prepared']) {
    it(`pgbench -M ${mode}`, async () => {
      await run(PGBENCH, ['-i', '-s', '1', '-q', '-p', String(cluster.layout.instances[0]!.port)], { env });
      const { stdout } = await run(PGBENCH, ['-M', mode, '-c', '4', '-j', '2', '-t', '50'], { env, timeout: 120_000 });
      expect(stdout).toContain('number of transactions actually processed: 200/200');
    });
  }

  it('node-postgres: parameters, prepared statements, cursors and LISTEN/NOTIFY', async () => {
    const client = await cluster.connect();
    const listener = await cluster.connect();
    try {
      expect((await client.query('SELECT $1::int * 2 AS doubled', [21])).rows[0].doubled).toBe(42);
      for (let i = 1; i <= 3; i++) {
        const result = await client.query({ name: 'item-by-id', text: 'SELECT name FROM items WHERE id = $1', values: [i] });
        expect(result.rows[0].name).toBe(['one', 'two', 'three'][i - 1]);
      }
      await client.query('BEGIN');
      const cursor = client.query(new Cursor('SELECT g FROM generate_series(1, 10) g'));
      const first = await cursor.read(4);
      const second = await cursor.read(4);
      const rest = await cursor.read(4);
      await cursor.close();
      await client.query('COMMIT');
      expect([...first, ...second, ...rest].map((row: { g: number }) => row.g)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);

      const received = new Promise<string>((resolve) => listener.on('notification', (message) => resolve(message.payload ?? '')));
      await listener.query('LISTEN jobs');
      await client.query("NOTIFY jobs, 'go'");
      expect(await received).toBe('go');
    } finally {
      await client.end();
      await listener.end();
    }
  });

  it('Python psycopg2', async () => {
    const script = [
      'import psycopg2, sys',
      `conn = psycopg2.connect(host="127.0.0.1", port=${port}, user="postgres", password=sys.argv[1], dbname="postgres")`,
      'cur = conn.cursor()',
      'cur.execute("SELECT name FROM items WHERE id = %s", (2,))',
      'print(cur.fetchone()[0])',
      'cur.execute("INSERT INTO items VALUES (%s, %s)", (10, "ten"))',
      'conn.commit()',
      'conn.close()',
    ].join('\n');
    const { stdout } = await run('/usr/bin/python3', ['-c', script, cluster.secrets.superuserPassword]);
    expect(stdout.trim()).toBe('two');
    expect((await cluster.query<{ name: string }>('SELECT name FROM items WHERE id = 10'))[0]?.name).toBe('ten');
  });

  it('Perl DBD::Pg (server-side prepared statements)', async () => {
    const script = [
      'use DBI;',
      `my $dbh = DBI->connect("dbi:Pg:host=127.0.0.1;port=${port};dbname=postgres", "postgres", $ARGV[0], {RaiseError => 1, AutoCommit => 1});`,
      'my $sth = $dbh->prepare("SELECT name FROM items WHERE id = ?");',
      'for my $id (1, 3) { $sth->execute($id); my ($name) = $sth->fetchrow_array; print "$name\\n"; }',
      '$dbh->disconnect;',
    ].join('\n');
    // `--`: a generated password may begin with '-', which perl would take for a switch.
    const { stdout } = await run('/usr/bin/perl', ['-e', script, '--', cluster.secrets.superuserPassword]);
    expect(stdout.trim().split('\n')).toEqual(['one', 'three']);
  });

  it('SCRAM: the right password logs in, a wrong one gets 28P01', async () => {
    const wrong = new Client({ host: '127.0.0.1', port, user: 'postgres', password: 'not-the-password', database: 'postgres' });
    await expect(wrong.connect()).rejects.toMatchObject({ code: '28P01' });
    const right = await cluster.connect();
    await right.end();
  });

  it('TLS with sslmode=verify-full against the local CA, with channel binding', async () => {
    const ca = join(cluster.stateDir, 'tls', 'ca.pem');
    const metrics = () => scrape(`http://127.0.0.1:${cluster.layout.gateways[0]!.metricsPort}`);
    const before = await metrics();
    const { stdout } = await run(PSQL, ['-At', '-c', 'SELECT 1', `host=localhost port=${port} user=postgres dbname=postgres sslmode=verify-full sslrootcert=${ca} channel_binding=require`], { env });
    expect(stdout.trim()).toBe('1');
    // Counted as a TLS login, and no longer open once it left (the socket under TLS closes too).
    const open = (samples: Awaited<ReturnType<typeof metrics>>) => sampleValue(samples, 'polygres_gateway_client_connections', { route: 'primary' }) ?? 0;
    const after = await waitFor('the TLS connection gone from the gauge', async () => {
      const samples = await metrics();
      return open(samples) === open(before) ? samples : undefined;
    }, { timeoutMs: 10_000 });
    expect(sampleValue(after, 'polygres_gateway_connections_total', { tls: 'yes', outcome: 'accepted' })).toBe((sampleValue(before, 'polygres_gateway_connections_total', { tls: 'yes', outcome: 'accepted' }) ?? 0) + 1);
    // The same listening address under a name the certificate does not carry: libpq checks
    // the name it was given (host), and connects to hostaddr.
    const wrongName = await run(PSQL, ['-c', 'SELECT 1', `host=not-in-the-certificate.invalid hostaddr=127.0.0.1 port=${port} user=postgres dbname=postgres sslmode=verify-full sslrootcert=${ca}`], { env }).catch((error: { stderr: string }) => error);
    expect(wrongName.stderr).toMatch(/server certificate for "localhost" \(and \d+ other names?\) does not match host name "not-in-the-certificate.invalid"/);
  });

  it('a CancelRequest sent to another gateway cancels the right query', async () => {
    const client = await cluster.connect(cluster.layout.gateways[0]!.port);
    const running = client.query('SELECT pg_sleep(60)').then(() => 'completed', (error: unknown) => error);
    await new Promise((r) => setTimeout(r, 500));
    const elsewhere = new Client({ host: '127.0.0.1', port: cluster.layout.gateways[2]!.port, user: 'postgres', password: cluster.secrets.superuserPassword, database: 'postgres' });
    (elsewhere as unknown as { cancel(target: Client, query: unknown): void }).cancel(client, (client as unknown as { activeQuery: unknown }).activeQuery);
    expect(await running).toMatchObject({ code: '57014' });
    expect((await client.query('SELECT 1 AS alive')).rows[0].alive).toBe(1);
    await client.end();
  });

  it('routes the replica port to a replica', async () => {
    const replicaPort = cluster.layout.gateways[1]!.replicaPort;
    let recovery: boolean | undefined;
    for (let attempt = 0; attempt < 50 && recovery !== true; attempt++) {
      const client = await cluster.connect(replicaPort);
      recovery = (await client.query('SELECT pg_is_in_recovery() AS r')).rows[0].r;
      await client.end();
      if (!recovery) await new Promise((r) => setTimeout(r, 200));
    }
    expect(recovery).toBe(true);
  });

  it('routes a session that asks with polygres.target_session_attrs to a replica', async () => {
    const client = new Client({ host: '127.0.0.1', port, user: 'postgres', password: cluster.secrets.superuserPassword, database: 'postgres', options: '-c polygres.target_session_attrs=read-only' });
    await client.connect();
    let recovery = false;
    for (let attempt = 0; attempt < 50 && !recovery; attempt++) {
      recovery = (await client.query('SELECT pg_is_in_recovery() AS r')).rows[0].r;
      if (!recovery) await new Promise((r) => setTimeout(r, 200));
    }
    await client.end();
    expect(recovery).toBe(true);
  });

  it('splits reads to replicas with polygres.read_routing = replica, and always reads its own writes', async () => {
    const client = new Client({ host: '127.0.0.1', port, user: 'postgres', password: cluster.secrets.superuserPassword, database: 'postgres', options: '-c polygres.read_routing=replica' });
    await client.connect();
    await client.query('CREATE TABLE IF NOT EXISTS ryw (id int PRIMARY KEY)');
    for (let i = 1; i <= 30; i++) {
      await client.query('INSERT INTO ryw VALUES ($1)', [i]);
      const seen = (await client.query('SELECT count(*)::int AS n FROM ryw WHERE id = $1', [i])).rows[0].n;
      expect(seen, `row ${i} read right after writing it`).toBe(1);
    }
    // Once a replica has replayed the last write, reads go there.
    let fromReplica = false;
    for (let attempt = 0; attempt < 50 && !fromReplica; attempt++) {
      await new Promise((r) => setTimeout(r, 200));
      fromReplica = (await client.query('SELECT pg_is_in_recovery() AS r')).rows[0].r;
    }
    expect(fromReplica).toBe(true);
    // A transaction always goes to the primary.
    await client.query('BEGIN');
    expect((await client.query('SELECT pg_is_in_recovery() AS r')).rows[0].r).toBe(false);
    await client.query('COMMIT');
    await client.end();
  });

  it('serves Prometheus metrics', async () => {
    const gateway = cluster.layout.gateways[0]!;
    const samples = await scrape(`http://127.0.0.1:${gateway.metricsPort}`);
    expect(sampleValue(samples, 'polygres_gateway_statements_total', { route: 'primary', service: 'gateway' })).toBeGreaterThan(0);
    expect(sampleValue(samples, 'polygres_gateway_errors_total', { sqlstate: '28P01' })).toBeGreaterThan(0);
  });

  // Last: it replaces the cluster's gateway certificate.
  it('serves a renewed certificate to new connections without a restart, and keeps the sessions it has', async () => {
    const tls = join(cluster.stateDir, 'tls');
    const running = new Client({ host: '127.0.0.1', port, user: 'postgres', password: cluster.secrets.superuserPassword, database: 'postgres', ssl: { rejectUnauthorized: false } });
    await running.connect();
    // A renewal by another authority: only the new certificate passes verify-full against it.
    const authority = await createCertificate({ commonName: 'renewed CA', authority: true });
    const renewed = await createCertificate({ commonName: 'localhost', names: ['localhost', '127.0.0.1'], issuer: authority });
    const renewedCa = join(dir, 'renewed-ca.pem');
    writeFileSync(renewedCa, authority.certificatePem);
    // The key first: a gateway that looks in between sees a pair that does not match and keeps the old one.
    writeFileSync(join(tls, 'gateway-key.pem'), renewed.privateKeyPem, { mode: 0o600 });
    writeFileSync(join(tls, 'gateway.pem'), renewed.certificatePem);
    const verify = () => run(PSQL, ['-At', '-c', 'SELECT 1', `host=localhost port=${port} user=postgres dbname=postgres sslmode=verify-full sslrootcert=${renewedCa}`], { env }).then(() => true, () => false);
    const deadline = Date.now() + 60_000;
    while (!(await verify()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 500));
    expect(await verify()).toBe(true);
    expect((await running.query('SELECT 1 AS alive')).rows[0].alive).toBe(1);
    await running.end();
    const samples = await scrape(`http://127.0.0.1:${cluster.layout.gateways[0]!.metricsPort}`);
    expect(sampleValue(samples, 'polygres_tls_certificate_expiry_timestamp_seconds', {})).toBe(Math.floor(renewed.certificate.notAfter.getTime() / 1000));
  });
});

/**
 * Least privilege on the local target, checked from outside: etcd answers only clients with
 * the cluster's certificate; a gateway that requires TLS refuses plaintext clients and says
 * how to connect; the replication role can replicate and nothing else; and, when the cluster
 * is started as root, every service runs as the unprivileged account.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { REPLICATION_USER } from '../../runtime/src/deployment/secrets';
import { etcdEndpoints } from '../../runtime/src/deployment/layout';
import { defaultSpec } from '../../runtime/src/spec/defaults';
import type { ClusterSpecInput } from '../../runtime/src/spec/schema';
import { type LocalCluster, startLocalCluster } from '../support/local-cluster';
import { supervisedPid } from '../support/faults';

const run = promisify(execFile);
const PSQL = '/usr/bin/psql';

/** Runs a command; its exit code and output, whether it failed or not. */
async function attempt(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run(command, args, { env, timeout: 20_000 });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failure = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof failure.code === 'number' ? failure.code : 1, output: `${failure.stdout ?? ''}${failure.stderr ?? ''}` };
  }
}

function uidOf(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('Uid:'))!;
  return Number(line.split(/\s+/)[1]);
}

describe('least privilege', () => {
  let cluster: LocalCluster;

  beforeAll(async () => {
    const spec: ClusterSpecInput = { ...JSON.parse(JSON.stringify(defaultSpec())), gateway: { tls: { mode: 'generate', required: true } } };
    cluster = await startLocalCluster(inject('testRoot'), spec);
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('etcd serves only clients that present the cluster’s certificate', async () => {
    const tls = cluster.layout.etcd.tls!;
    const etcdctl = (...flags: string[]) => attempt('etcdctl', [`--endpoints=${etcdEndpoints(cluster.layout).join(',')}`, '--dial-timeout=2s', '--command-timeout=3s', ...flags, 'get', '--prefix', '/', '--keys-only'], { ...process.env, ETCDCTL_API: '3' });
    const plain = await attempt('etcdctl', [`--endpoints=http://${cluster.layout.etcd.host}:${cluster.layout.etcd.clientPort}`, '--dial-timeout=2s', '--command-timeout=3s', 'get', '--prefix', '/'], { ...process.env, ETCDCTL_API: '3' });
    expect(plain.code).not.toBe(0);
    const withoutCertificate = await etcdctl(`--cacert=${tls.caFile}`);
    expect(withoutCertificate.code).not.toBe(0);
    expect(withoutCertificate.output).not.toContain(`/${cluster.layout.cluster}/`);
    const withCertificate = await etcdctl(`--cacert=${tls.caFile}`, `--cert=${tls.clientCertFile}`, `--key=${tls.clientKeyFile}`);
    expect(withCertificate.code, withCertificate.output).toBe(0);
    expect(withCertificate.output).toContain(`/${cluster.layout.cluster}/`);
  });

  it('a gateway that requires TLS refuses plaintext clients, says how to connect, and serves TLS ones', async () => {
    const port = cluster.layout.gateways[0]!.port;
    const env = { ...process.env, PGPASSWORD: cluster.secrets.superuserPassword };
    const plaintext = await attempt(PSQL, ['-X', '-At', '-c', 'SELECT 1', `host=127.0.0.1 port=${port} user=postgres dbname=postgres sslmode=disable`], env);
    expect(plaintext.code).not.toBe(0);
    expect(plaintext.output).toMatch(/accepts only TLS connections .*sslmode=require or verify-full/);
    const secure = await attempt(PSQL, ['-X', '-At', '-c', 'SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()', `host=127.0.0.1 port=${port} user=postgres dbname=postgres sslmode=require`], env);
    expect(secure.code, secure.output).toBe(0);
  });

  it('the replication role streams, and opens no SQL session anywhere', async () => {
    const password = cluster.secrets.replicationPassword;
    const status = await cluster.statusNow();
    const serving = cluster.layout.instances.find((instance) => instance.name === status.primary)!;
    const env = { ...process.env, PGPASSWORD: password, PGSSLMODE: 'require' };
    const throughGateway = await attempt(PSQL, ['-X', '-c', 'SELECT 1', `host=127.0.0.1 port=${cluster.layout.gateways[0]!.port} user=${REPLICATION_USER} dbname=postgres`], env);
    expect(throughGateway.output).toMatch(/password authentication failed for user "replicator"/);
    const direct = await attempt(PSQL, ['-X', '-c', 'SELECT 1', `host=127.0.0.1 port=${serving.port} user=${REPLICATION_USER} dbname=postgres sslmode=disable`], env);
    expect(direct.output).toMatch(/pg_hba.conf rejects connection for host "127.0.0.1", user "replicator"/);
    // A physical replication connection, as a standby's or pg_basebackup's.
    const replication = new Client({ host: '127.0.0.1', port: serving.port, user: REPLICATION_USER, password, database: 'postgres', replication: true } as never);
    await replication.connect();
    const { rows } = await replication.query('IDENTIFY_SYSTEM');
    expect(rows[0]).toHaveProperty('systemid');
    await replication.end();
  });

  it.runIf(process.getuid?.() === 0)('runs every service as the unprivileged account when started as root, or says why not', () => {
    const names = ['etcd', ...cluster.layout.instances.map((i) => `pooler-${i.name}`), ...cluster.layout.gateways.map((g) => `gateway-${g.zone}`), ...cluster.layout.orchestrators.map((o) => o.name)];
    const user = cluster.layout.serviceUser;
    if (!user) {
      // An installation the Postgres account cannot read (a checkout under /root): root, and `up` said so.
      expect(cluster.upOutput).toContain('The services run as root');
      return;
    }
    expect(user.uid).not.toBe(0);
    for (const name of names) expect({ name, uid: uidOf(supervisedPid(cluster, name)) }).toEqual({ name, uid: user.uid });
  });
});

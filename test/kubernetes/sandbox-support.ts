/**
 * The `kubernetes-multi-az` example, synthesized and applied in the pod sandbox with an S3
 * stand-in for its backup bucket, and what its tests ask of it: clients through the Services
 * with the cluster's own CA, the primary's name, its standbys as the primary reports them.
 */
import { Testing } from 'cdktf';
import { request as httpsRequest } from 'node:https';
import type { ConnectionOptions } from 'node:tls';
import { Client } from 'pg';
import { KubernetesMultiAzStack, type KubernetesMultiAzProps } from '../../examples/kubernetes-multi-az/stack';
import { PodSandbox } from '../pod-sandbox/pod-sandbox';
import { removeSandboxLeftovers } from '../pod-sandbox/leftovers';
import type { TerraformConfig } from '../pod-sandbox/terraform-values';
import { startS3Server, type S3Server } from '../support/s3-server';
import type { LedgerTarget } from '../support/ledger-writer';
import { EtcdTopoStore } from '../../runtime/src/topo/etcd-topo-store';
import type { TopoStore } from '../../runtime/src/topo/topo-store';
import { resolve } from 'node:path';

const BUCKET = 'acme-orders-backups';
const S3_NAMES = [`${BUCKET}.s3.amazonaws.com`, 's3.amazonaws.com'];
/** Formation on two cores: etcd, three instances (one cloned twice), six gateways, the Job. */
export const FORM_TIMEOUT_MS = 300_000;

export interface ExampleInSandbox {
  readonly sandbox: PodSandbox;
  readonly s3: S3Server;
  stop(): Promise<void>;
}

export function synthesizeExample(props: KubernetesMultiAzProps = {}): TerraformConfig {
  const stack = new KubernetesMultiAzStack(Testing.app(), 'kubernetes-multi-az', props);
  return JSON.parse(Testing.synth(stack, true)) as TerraformConfig;
}

export async function startExample(): Promise<ExampleInSandbox> {
  await removeSandboxLeftovers();
  const sandbox = await PodSandbox.create({ repoRoot: resolve(__dirname, '..', '..'), namesOnTheNode: S3_NAMES });
  let s3: S3Server | undefined;
  try {
    s3 = await startS3Server(sandbox.root, BUCKET, { host: sandbox.nodeIp, port: 443, names: S3_NAMES });
    sandbox.trustAuthority(s3.authority.certificatePem);
    // The example names an existing Secret "orders-s3" with the keys "key" and "keySecret".
    sandbox.addExistingSecret('orders-s3', { key: s3.credentials.key, keySecret: s3.credentials.keySecret });
    sandbox.apply(synthesizeExample());
  } catch (error) {
    await s3?.stop();
    await sandbox.stop();
    throw error;
  }
  const started = s3;
  return {
    sandbox,
    s3: started,
    async stop() {
      await sandbox.stop();
      await started.stop();
    },
  };
}

/** Every workload's pods Ready and the bootstrap Job done. */
export async function waitFormed(sandbox: PodSandbox, timeoutMs = FORM_TIMEOUT_MS): Promise<void> {
  await sandbox.waitFor('every pod Ready and the bootstrap Job complete', () => {
    const pods = sandbox.pods();
    const serving = pods.filter((pod) => pod.labels['app.kubernetes.io/component'] !== 'bootstrap');
    return serving.length === 15 && serving.every((pod) => pod.ready) && !pods.some((pod) => pod.labels['app.kubernetes.io/component'] === 'bootstrap');
  }, timeoutMs);
}

function tls(sandbox: PodSandbox): ConnectionOptions {
  return { ca: sandbox.secretData('orders-gateway-tls')['ca.crt'], servername: 'orders-gateway.orders.svc.cluster.local' };
}

/** A client as an application in the cluster would be: the app's user, the Service, TLS verified. */
export function appTarget(sandbox: PodSandbox, service = 'orders-gateway'): LedgerTarget {
  const user = sandbox.secretData('orders-user-orders-app');
  return { host: sandbox.serviceIp(service), port: 5432, user: user.username!, password: user.password!, database: 'orders', ssl: tls(sandbox) };
}

export function superuserTarget(sandbox: PodSandbox, service = 'orders-gateway'): LedgerTarget {
  return { host: sandbox.serviceIp(service), port: 5432, user: 'postgres', password: sandbox.secretData('orders-internal')['superuser-password']!, database: 'postgres', ssl: tls(sandbox) };
}

export async function query<T extends Record<string, unknown>>(target: LedgerTarget, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new Client({ ...target, connectionTimeoutMillis: 15_000, query_timeout: 15_000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * A read that may be asked again: once more (up to three tries) if the connection is lost
 * before the answer. Right after a heal, a gateway may still hold a link connection the cut
 * ended, and the first statement on it fails; an application asks again, and so does a check
 * that is about what is stored, not about the first statement after a heal.
 */
export async function read<T extends Record<string, unknown>>(target: LedgerTarget, sql: string, params: unknown[] = []): Promise<T[]> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await query<T>(target, sql, params);
    } catch (error) {
      if (attempt >= 3 || !/connection|terminat|ECONNRESET|timeout/i.test((error as Error).message)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  }
}

export interface Replication {
  readonly primary: string;
  /** `replayed`: the standby has replayed up to the primary's current WAL position. */
  readonly standbys: { name: string; state: string; sync: string; replayed: boolean }[];
}

/** The primary's name and its standbys' replication, asked through the gateway. */
export async function replication(sandbox: PodSandbox): Promise<Replication> {
  const rows = await query<{ primary: string; standbys: Replication['standbys'] | null }>(
    superuserTarget(sandbox),
    `SELECT current_setting('cluster_name') AS primary,
            (SELECT json_agg(json_build_object('name', application_name, 'state', state, 'sync', sync_state, 'replayed', coalesce(replay_lsn >= pg_current_wal_lsn(), false)) ORDER BY application_name)
               FROM pg_stat_replication) AS standbys`,
  );
  return { primary: rows[0]!.primary, standbys: rows[0]!.standbys ?? [] };
}

/**
 * Both standbys streaming and replayed up to the primary's WAL. A fault injected before a
 * rejoined standby has replayed what it was sent finds it unable to be promoted for a while
 * (docs/DECISIONS.md, "Kubernetes pod sandbox"): the tests start each fault from a settled cluster.
 * It answers the replication (its streaming standbys) of the same query that found it
 * settled: asked again later, a standby that reconnects in between would be missing from it.
 */
export async function waitSettled(sandbox: PodSandbox, timeoutMs: number): Promise<Replication> {
  let found: Replication | undefined;
  await sandbox.waitFor('a settled cluster', async () => {
    const { primary, standbys } = await replication(sandbox);
    const streaming = standbys.filter((standby) => standby.state === 'streaming');
    if (streaming.length !== 2 || !streaming.every((standby) => standby.replayed)) return false;
    found = { primary, standbys: streaming };
    return true;
  }, timeoutMs);
  return found!;
}

/** The orchestrators' history (elections and other actions), through a zone's orchestrator Service. */
export async function orchestratorHistory(sandbox: PodSandbox): Promise<{ action: string; outcome: string; at: string; detail: string }[]> {
  return adminGet(sandbox, 'orders-orchestrator-us-east-1a', 8009, '/v1/history');
}

/**
 * GET on a Service's admin API as another Polygres pod calls it: HTTPS, the certificate checked
 * against the cluster's internal authority for the Service's name, the admin token.
 */
export function adminGet<T>(sandbox: PodSandbox, service: string, port: number, path: string): Promise<T> {
  const { adminToken } = JSON.parse(sandbox.secretData('orders-internal')['secrets.json']!) as { adminToken: string };
  const ca = sandbox.secretData('orders-internal-tls')['ca.crt']!;
  return new Promise((resolve, reject) => {
    const call = httpsRequest(
      { host: sandbox.serviceIp(service), port, path, ca, servername: `${service}.orders.svc.cluster.local`, headers: { authorization: `Bearer ${adminToken}` }, agent: false, signal: AbortSignal.timeout(10_000) },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if (response.statusCode !== 200) reject(new Error(`${path}: ${response.statusCode} ${text}`));
          else resolve(JSON.parse(text) as T);
        });
      },
    );
    call.on('error', reject);
    call.end();
  });
}

/** The example's etcd as the node reaches it: its Service, with the client certificate every Polygres pod presents. */
export function sandboxTopo(sandbox: PodSandbox): TopoStore {
  const tls = sandbox.secretData('orders-etcd-tls');
  return new EtcdTopoStore({
    endpoints: [`https://${sandbox.serviceIp('orders-etcd')}:2379`],
    cluster: 'orders',
    tls: { ca: Buffer.from(tls['ca.crt']!), cert: Buffer.from(tls['client.crt']!), key: Buffer.from(tls['client.key']!), serverName: 'orders-etcd.orders.svc.cluster.local' },
  });
}

/** The instance pod of an instance name (`us-east-1a-0` runs in `orders-us-east-1a-0-0`). */
export function instancePod(instance: string): string {
  return `orders-${instance}-0`;
}

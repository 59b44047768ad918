/**
 * Follows a starting cluster and prints each milestone once — etcd up, each instance's
 * phase, gateways listening, the first rule serving — until every instance runs and a
 * write through a gateway commits. Fails early, with the log that explains it, when a process keeps crashing.
 */
import { openTopoStore } from '../deployment/topo-access';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { fetchInstanceStatus } from '../orchestrator/cluster-status';
import { syncStandbyNames } from '../consensus/sync-standby-names';
import { isListening, sleep } from '../util/net';
import { isAlive } from '../util/processes';
import { type ClusterLayout, serviceDirOf } from '../deployment/layout';
import type { ConnectionOptions } from 'node:tls';
import { loadSpecFile } from '../spec/load';
import { tlsFilesFor } from '../deployment/tls-material';
import { firstGateway } from './connection';
import { type ClusterSecrets, SUPERUSER } from '../deployment/secrets';
import { readSupervisorState } from './supervisor-files';

/** A child restarted this often while starting is broken, not slow. */
const MAX_STARTUP_RESTARTS = 4;

export async function followStartup(options: {
  layout: ClusterLayout;
  secrets: ClusterSecrets;
  out: (line: string) => void;
  supervisorPid: number;
  timeoutMs?: number;
}): Promise<void> {
  const { layout, secrets, out } = options;
  const seen = new Set<string>();
  const say = (key: string, line: string) => {
    if (!seen.has(key)) {
      seen.add(key);
      out(line);
    }
  };
  const topo = openTopoStore(layout, { callTimeoutMs: 1_000 });
  const deadline = Date.now() + (options.timeoutMs ?? 180_000);
  try {
    for (;;) {
      if (!isAlive(options.supervisorPid)) throw new Error(`the supervisor (pid ${options.supervisorPid}) exited; see ${join(layout.logDir, 'supervisor.log')}`);
      checkCrashLoops(layout);
      if (await isListening(layout.etcd.host, layout.etcd.clientPort)) say('etcd', `✓ etcd listening on ${layout.etcd.host}:${layout.etcd.clientPort}`);
      let instancesUp = 0;
      for (const instance of layout.instances) {
        const status = await fetchInstanceStatus(layout, secrets.adminToken, instance.name);
        if (!status) continue;
        if (status.phase === 'running' && status.healthy && status.role !== 'unknown') {
          instancesUp += 1;
          say(`${instance.name}:running`, `✓ ${instance.name} (${instance.zone}) running as ${status.role} on port ${instance.port}`);
        } else if (status.phase !== 'waiting-for-rule' && status.phase !== 'running') {
          say(`${instance.name}:${status.phase}`, `· ${instance.name} (${instance.zone}) ${status.phase}`);
        }
      }
      for (const gateway of layout.gateways) {
        if (await isListening(gateway.host, gateway.port)) say(`gw:${gateway.zone}`, `✓ gateway ${gateway.zone} listening on ${gateway.host}:${gateway.port}`);
      }
      const rule = await topo.getRule().catch(() => undefined);
      const serving = rule?.value.status === 'serving';
      if (rule && serving) {
        say('serving', `✓ term ${rule.value.term}: ${rule.value.primary} is primary (${syncStandbyNames(rule.value.sync) || 'asynchronous'})`);
      }
      if (serving && instancesUp === layout.instances.length && (await writeThroughGateway(layout, secrets))) {
        out('✓ a write through the gateway committed');
        return;
      }
      if (Date.now() > deadline) throw new Error('the cluster did not accept a write through the gateway in time; see the logs in ' + layout.logDir);
      await sleep(250);
    }
  } finally {
    topo.close();
  }
}

/** `txid_current()` assigns a transaction id, so its commit waits for synchronous standbys. */
async function writeThroughGateway(layout: ClusterLayout, secrets: ClusterSecrets): Promise<boolean> {
  const gateway = firstGateway(layout);
  const client = new Client({
    host: gateway.host,
    port: gateway.port,
    user: SUPERUSER,
    password: secrets.superuserPassword,
    database: 'postgres',
    connectionTimeoutMillis: 3_000,
    query_timeout: 10_000,
    ...gatewayTlsOptions(layout),
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT txid_current()');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * TLS towards the gateway whenever it offers it (a gateway may require it), checked against
 * the cluster's own authority when Polygres made the certificate.
 */
function gatewayTlsOptions(layout: ClusterLayout): { ssl?: ConnectionOptions } {
  const { spec } = loadSpecFile(layout.specFile);
  const files = tlsFilesFor(spec, serviceDirOf(layout));
  if (!files) return {};
  if (!files.caFile) return { ssl: { rejectUnauthorized: false } };
  return { ssl: { ca: readFileSync(files.caFile, 'utf8'), servername: 'localhost' } };
}

function checkCrashLoops(layout: ClusterLayout): void {
  const state = readSupervisorState(layout);
  const broken = state?.children.find((child) => child.restarts >= MAX_STARTUP_RESTARTS);
  if (!broken) return;
  throw new Error(`${broken.name} keeps exiting (${broken.restarts} restarts). Last lines of its log:\n${tail(join(layout.logDir, `${broken.name}.log`))}`);
}

export function tail(file: string, lines = 15): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

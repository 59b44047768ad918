/**
 * A whole local cluster for a test: `polygres up --detach` on a claimed block of ports with
 * its state under the suite's temporary root; `stop()` runs `polygres down --purge`. The
 * suite teardown stops any cluster a failed test left behind.
 */
import { chmodSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { type LocalClusterStatus, localClusterStatus } from '../../runtime/src/cli/status-command';
import { waitFor } from '../../runtime/src/util/net';
import type { ClusterLayout } from '../../runtime/src/deployment/layout';
import { readLayoutOfStateDir } from '../../runtime/src/deployment/layout-file';
import { type ClusterSecrets, SUPERUSER, readSecrets } from '../../runtime/src/deployment/secrets';
import type { ClusterSpecInput } from '../../runtime/src/spec/schema';
import { type PortBlock, claimPortBlock } from './ports';
import { polygres } from './polygres-cli';
import { keepingTestFiles } from './cleanup';

export interface LocalCluster {
  readonly stateDir: string;
  readonly layout: ClusterLayout;
  readonly secrets: ClusterSecrets;
  /** Output of `polygres up`. */
  readonly upOutput: string;
  /** A connected superuser client: through the first gateway, or straight to a port. */
  connect(port?: number): Promise<Client>;
  /** Runs one statement through the first gateway (or at `port`) and returns its rows. */
  query<T = Record<string, unknown>>(sql: string, port?: number): Promise<T[]>;
  /** `polygres status --json`, through the real CLI. */
  status(): Promise<LocalClusterStatus>;
  /** The same status, computed in this process (faster, for polling). */
  statusNow(): Promise<LocalClusterStatus>;
  /** Polls statusNow() until `accept` returns true. */
  waitForStatus(what: string, accept: (status: LocalClusterStatus) => boolean, timeoutMs?: number): Promise<LocalClusterStatus>;
  /** Status and the warnings of every service's log: printed when a test fails. */
  diagnostics(): Promise<string>;
  stop(): Promise<void>;
}

/**
 * Serving, every instance healthy, the rule's primary the only one in the primary role and
 * every other instance streaming. An old primary that has not yet heard it was deposed still
 * reports itself primary (and healthy) until it stops to rewind: it does not count as settled.
 */
export function settledStatus(status: LocalClusterStatus): boolean {
  return status.ruleStatus === 'serving' && status.instances.every((i) => i.healthy && (i.name === status.primary ? i.role === 'primary' : i.replicationState === 'streaming'));
}

export async function startLocalCluster(root: string, spec?: ClusterSpecInput, upFlags: readonly string[] = []): Promise<LocalCluster> {
  const stateDir = mkdtempSync(join(root, 'cluster-'));
  chmodSync(stateDir, 0o755);
  const block = await claimPortBlock();
  const args = ['up', '--detach', '--state-dir', stateDir, '--base-port', String(block.base), ...upFlags];
  if (spec) {
    const specFile = join(root, `${stateDir.split('/').pop()}-spec.json`);
    writeFileSync(specFile, JSON.stringify(spec));
    args.push('--spec', specFile);
  }
  const result = await polygres(args);
  if (result.code !== 0) {
    await polygres(['down', '--purge', '--yes', '--state-dir', stateDir]);
    block.release();
    throw new Error(`polygres up failed (${result.code}):\n${result.stdout}\n${result.stderr}`);
  }
  return localClusterAt(stateDir, block, result.stdout);
}

/** A cluster already started in `stateDir` (by `polygres up` or `polygres restore`) on `block`. */
export function localClusterAt(stateDir: string, block: PortBlock, upOutput: string): LocalCluster {
  const layout = readLayoutOfStateDir(stateDir);
  const secrets = readSecrets(layout.secretsFile);
  const gateway = layout.gateways[0];
  if (!gateway) throw new Error('cluster has no gateway');
  // A gateway that requires TLS gets it (the tests check names elsewhere).
  const ssl = (JSON.parse(readFileSync(layout.specFile, 'utf8')) as { gateway?: { tls?: { required?: boolean } } }).gateway?.tls?.required ? { ssl: { rejectUnauthorized: false } } : {};
  // Ports are the cluster's own: each belongs to one process, on its host (loopback, or its zone's network).
  const hostOf = (port: number) =>
    [...layout.gateways.flatMap((g) => [[g.port, g.host], [g.replicaPort, g.host]] as const), ...layout.instances.flatMap((i) => [[i.port, i.host], [i.poolerPort, i.host]] as const)]
      .find(([candidate]) => candidate === port)?.[1] ?? '127.0.0.1';
  const connect = async (port = gateway.port) => {
    const client = new Client({ host: hostOf(port), port, user: SUPERUSER, password: secrets.superuserPassword, database: 'postgres', ...ssl });
    await client.connect();
    return client;
  };
  return {
    stateDir,
    layout,
    secrets,
    upOutput,
    connect,
    async query<T>(sql: string, port?: number) {
      const client = await connect(port);
      try {
        return (await client.query(sql)).rows as T[];
      } finally {
        await client.end();
      }
    },
    async status() {
      const status = await polygres(['status', '--json', '--state-dir', stateDir]);
      if (status.code !== 0) throw new Error(`polygres status failed: ${status.stderr}`);
      return JSON.parse(status.stdout) as LocalClusterStatus;
    },
    statusNow: () => localClusterStatus(stateDir),
    waitForStatus: (what, accept, timeoutMs = 60_000) =>
      waitFor(what, async () => {
        const status = await localClusterStatus(stateDir);
        return accept(status) ? status : undefined;
      }, { timeoutMs, intervalMs: 100 }),
    async diagnostics() {
      const status = await localClusterStatus(stateDir).catch((error: unknown) => ({ error: String(error) }));
      const logs = readdirSync(layout.logDir).map((file) => {
        const lines = readFileSync(join(layout.logDir, file), 'utf8').split('\n').filter((line) => /"level":[45]0|"msg":"(recruited|promoted|following|rewound|failing over|election finished)/.test(line));
        return `--- ${file}\n${lines.slice(-25).join('\n')}`;
      });
      return `${JSON.stringify(status, null, 2)}\n${logs.join('\n')}`;
    },
    async stop() {
      reportLongWaits(layout.logDir);
      const purge = keepingTestFiles() ? [] : ['--purge'];
      const down = await polygres(['down', ...purge, '--yes', '--state-dir', stateDir]);
      block.release();
      if (down.code !== 0) throw new Error(`polygres down failed: ${down.stderr}`);
    },
  };
}

/**
 * A session that waited a minute for its server (a hang, or a long statement) is logged by the
 * gateway or pooler; the logs go with the cluster, so the lines are printed first — the run's
 * output then says what a hung client was owed.
 */
function reportLongWaits(logDir: string): void {
  try {
    for (const file of readdirSync(logDir)) {
      const lines = readFileSync(join(logDir, file), 'utf8').split('\n').filter((line) => line.includes('waited a minute with no message from its server'));
      if (lines.length > 0) process.stderr.write(`${file}:\n${lines.join('\n')}\n`);
    }
  } catch {
    // no logs to read: nothing to report
  }
}

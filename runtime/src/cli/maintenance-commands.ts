/**
 * Day-2 maintenance of a local cluster: reload settings, restart Postgres (one instance, or
 * all of them in the order that keeps writes going), rebuild a standby, and psql with the
 * stored credentials.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { PendingRestart } from '../agent/pending-restart';
import { callAdmin } from '../admin/http-client';
import type { ClusterLayout } from '../deployment/layout';
import { readLayoutOfStateDir } from '../deployment/layout-file';
import { SUPERUSER, readSecrets } from '../deployment/secrets';
import { postgresBinDir } from '../postgres/postgres-binaries';
import { UsageError } from './cli-errors';
import { confirm } from './confirm';
import { askInstance, waitUntilServing } from './instance-admin';
import { describeSwitchover, switchOverCluster } from './orchestrator-api';
import { clusterStateDir } from './resolve-state-dir';
import { rollingRestart } from './rolling-restart';
import { localClusterStatus } from './status-command';

type Out = (line: string) => void;

export function addMaintenanceCommands(program: Command, out: Out): void {
  program
    .command('reload')
    .description("render every instance's Postgres settings from the cluster's spec again and reload them, and the poolers' and gateways' settings they change while running; says which changes wait for a restart")
    .option('--state-dir <dir>', 'state directory of the cluster')
    .action(async (options: { stateDir?: string }) => {
      const layout = readLayoutOfStateDir(clusterStateDir(options.stateDir));
      const pending = await reloadAll(layout, out);
      if (pending.length > 0) out(`Some settings take effect only after a restart: polygres restart --rolling --state-dir ${layout.stateDir}`);
    });

  program
    .command('restart')
    .description('restart Postgres: one instance (the primary after a switchover away from it), or --rolling: every standby one at a time, then a switchover')
    .option('--state-dir <dir>', 'state directory of the cluster')
    .option('--instance <name>', 'the instance to restart')
    .option('--rolling', 'every instance, writes pausing only for one switchover')
    .option('--yes', 'do not ask before the switchover a restart of the primary needs')
    .action(async (options: { stateDir?: string; instance?: string; rolling?: boolean; yes?: boolean }) => {
      if (!!options.instance === !!options.rolling) throw new UsageError('give either --instance NAME or --rolling');
      const layout = readLayoutOfStateDir(clusterStateDir(options.stateDir));
      const { primary } = await localClusterStatus(layout.stateDir);
      if (options.rolling) {
        await confirm({ consequence: `restart every Postgres of cluster "${layout.cluster}", switching the primary over once (writes pause for about a second)`, yes: options.yes ?? false });
        await rollingRestart(layout, { out });
        return;
      }
      const name = options.instance!;
      if (!layout.instances.some((instance) => instance.name === name)) throw new UsageError(`--instance: "${name}" is not an instance of cluster "${layout.cluster}" (${layout.instances.map((i) => i.name).join(', ')})`);
      if (name === primary && layout.instances.length > 1) {
        await confirm({ consequence: `switch the primary over from ${name} (writes pause for about a second); the switchover restarts it as a standby`, yes: options.yes ?? false });
        out(describeSwitchover(await switchOverCluster(layout)));
        await waitUntilServing(layout, name, 'replica');
        out(`${name} restarted as a standby, streaming`);
        return;
      }
      const role = name === primary ? 'primary' : 'replica';
      const { postmasterPid } = await askInstance<{ postmasterPid: number | null }>(layout, name, '/v1/restart');
      await waitUntilServing(layout, name, role);
      out(`${name} restarted (postmaster ${postmasterPid ?? '?'})`);
    });

  program
    .command('reinit')
    .description("rebuild a standby's data directory: from the latest backup (then streaming), or from the primary without backups")
    .argument('<instance>', 'the standby to rebuild')
    .option('--state-dir <dir>', 'state directory of the cluster')
    .option('--yes', 'do not ask: deleting its data directory is intended')
    .action(async (name: string, options: { stateDir?: string; yes?: boolean }) => {
      const layout = readLayoutOfStateDir(clusterStateDir(options.stateDir));
      if (!layout.instances.some((instance) => instance.name === name)) throw new UsageError(`"${name}" is not an instance of cluster "${layout.cluster}" (${layout.instances.map((i) => i.name).join(', ')})`);
      await confirm({ consequence: `delete the data directory of ${name} and rebuild it`, yes: options.yes ?? false });
      out(`Rebuilding ${name}...`);
      await askInstance(layout, name, '/v1/reinit');
      await waitUntilServing(layout, name, 'replica');
      out(`${name} is rebuilt and streaming`);
    });

  program
    .command('psql')
    .description("psql into the cluster through the first zone's gateway, with the stored superuser credentials; arguments after -- go to psql")
    .option('--state-dir <dir>', 'state directory of the cluster')
    .option('--replica', "the gateway's replica port (reads from a standby)")
    .option('--database <name>', 'database to connect to', 'postgres')
    .argument('[psql-arguments...]')
    .action(async (psqlArguments: string[], options: { stateDir?: string; replica?: boolean; database: string }) => {
      const layout = readLayoutOfStateDir(clusterStateDir(options.stateDir));
      process.exitCode = await runPsql(layout, options.replica ?? false, options.database, psqlArguments);
    });
}

/** Reloads every instance; prints and returns the settings still waiting for a restart, per instance. */
export async function reloadAll(layout: ClusterLayout, out: Out): Promise<Array<{ instance: string } & PendingRestart>> {
  const pending: Array<{ instance: string } & PendingRestart> = [];
  for (const instance of layout.instances) {
    const reply = await askInstance<PendingRestart>(layout, instance.name, '/v1/reload');
    out(`${instance.name}: reloaded${reply.pendingRestart.length > 0 ? `; waiting for a restart: ${reply.pendingRestart.join(', ')}` : ''}`);
    if (reply.pendingRestart.length > 0) pending.push({ instance: instance.name, ...reply });
  }
  const token = readSecrets(layout.secretsFile).adminToken;
  for (const gateway of layout.gateways) {
    await callAdmin({ host: gateway.host, port: gateway.metricsPort, token, method: 'POST', path: '/v1/reload', timeoutMs: 60_000 });
    out(`gateway-${gateway.zone}: reloaded`);
  }
  return pending;
}

function runPsql(layout: ClusterLayout, replica: boolean, database: string, extra: string[]): Promise<number> {
  const gateway = layout.gateways[0];
  if (!gateway) throw new Error(`cluster ${layout.cluster} has no gateway`);
  const ca = join(layout.stateDir, 'tls', 'ca.pem');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PGHOST: gateway.host,
    PGPORT: String(replica ? gateway.replicaPort : gateway.port),
    PGUSER: SUPERUSER,
    PGDATABASE: database,
    PGPASSWORD: readSecrets(layout.secretsFile).superuserPassword,
    // The gateway's certificate comes from the cluster's own authority: verify it when there is one.
    ...(existsSync(ca) && !process.env.PGSSLMODE ? { PGSSLMODE: 'verify-ca', PGSSLROOTCERT: ca } : {}),
  };
  return new Promise((resolvePromise, reject) => {
    const child = spawn(join(postgresBinDir(), 'psql'), extra, { env, stdio: 'inherit' });
    child.once('error', reject);
    child.once('exit', (code, signal) => resolvePromise(code ?? (signal ? 1 : 0)));
  });
}

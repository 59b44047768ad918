/**
 * `polygres pause` / `resume`: PgBouncer's PAUSE and RESUME, for the whole cluster. Every
 * gateway (its own pools) and every pooler (the pools behind the links) stop handing out
 * server connections: running transactions finish, new statements wait without an error, and
 * resume lets them run. pause returns once the connections in use are given back (or says
 * which are still held: a long transaction, a pinned session).
 */
import type { Command } from 'commander';
import { callAdmin } from '../admin/http-client';
import type { ClusterLayout } from '../deployment/layout';
import { readLayoutOfStateDir } from '../deployment/layout-file';
import { readSecrets } from '../deployment/secrets';
import type { PauseReport } from '../pooler/pause-switch';
import { clusterStateDir } from './resolve-state-dir';

type Out = (line: string) => void;

export function addPauseCommands(program: Command, out: Out): void {
  program
    .command('pause')
    .description('pause the cluster like PgBouncer PAUSE: running transactions finish, new statements wait (no error) until polygres resume')
    .option('--state-dir <dir>', 'state directory of the cluster')
    .option('--database <name>', 'pause only this database')
    .option('--wait <seconds>', 'how long to wait for the connections in use to be given back', '60')
    .action(async (options: { stateDir?: string; database?: string; wait: string }) => {
      const layout = readLayoutOfStateDir(clusterStateDir(options.stateDir));
      const reports = await everyProcess(layout, '/v1/pause', { ...(options.database ? { database: options.database } : {}), waitMs: Math.round(Number(options.wait) * 1000) });
      const held = reports.reduce((sum, { report }) => sum + report.active, 0);
      const what = options.database ? `database ${options.database}` : 'every database';
      out(held === 0 ? `Paused ${what}: no server connection in use; new statements wait until polygres resume.` : `Paused ${what}, but ${held} server connection(s) are still in use (${reports.filter(({ report }) => report.active > 0).map(({ process }) => process).join(', ')}): a transaction still running, or a session pinned to its connection. New statements wait until polygres resume.`);
    });

  program
    .command('resume')
    .description('resume after polygres pause: waiting statements run')
    .option('--state-dir <dir>', 'state directory of the cluster')
    .option('--database <name>', 'resume only this database (paused by name)')
    .action(async (options: { stateDir?: string; database?: string }) => {
      const layout = readLayoutOfStateDir(clusterStateDir(options.stateDir));
      const reports = await everyProcess(layout, '/v1/resume', options.database ? { database: options.database } : {});
      const still = reports[0]?.report.paused ?? [];
      out(still === 'all' || still.length > 0 ? `Resumed; still paused: ${still === 'all' ? 'every database' : still.join(', ')}.` : 'Resumed.');
    });
}

/** Asks every pooler and gateway at once; one that does not answer fails the command, naming it. */
async function everyProcess(layout: ClusterLayout, path: string, body: object): Promise<Array<{ process: string; report: PauseReport }>> {
  const token = readSecrets(layout.secretsFile).adminToken;
  const targets = [
    ...layout.instances.map((instance) => ({ process: `pooler-${instance.name}`, host: instance.host, port: instance.adminPort })),
    ...layout.gateways.map((gateway) => ({ process: `gateway-${gateway.zone}`, host: gateway.host, port: gateway.metricsPort })),
  ];
  return Promise.all(
    targets.map(async ({ process, host, port }) => ({ process, report: await callAdmin<PauseReport>({ host, port, token, method: 'POST', path, body, timeoutMs: 3_700_000 }) })),
  );
}

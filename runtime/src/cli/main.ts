/** The `polygres` command. Each subcommand is a thin shell over a module that does the work. */
import { existsSync } from 'node:fs';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { layoutFile } from '../deployment/layout';
import { runGateway } from '../gateway/main';
import { policyFor } from '../consensus/registry';
import { syncStandbyNames } from '../consensus/sync-standby-names';
import { readLayoutOfStateDir } from '../deployment/layout-file';
import type { HistoryEntry, ShardRule } from '../topo/records';
import { callOrchestrator, describeSwitchover, switchOverCluster } from './orchestrator-api';
import { callAdmin } from '../admin/http-client';
import { readSecrets } from '../deployment/secrets';
import type { PoolStats } from '../pooler/pool';
import type { BackupRecord, StanzaInfo } from '../backup/pgbackrest-runner';
import { parsePolicyArgument } from './parse-policy';
import type { DurabilityPolicySpec } from '../consensus/policy';
import { runOrchestrator } from '../orchestrator/main';
import { runPooler } from '../pooler/main';
import { stopCluster } from '../local/down';
import { superviseCluster } from '../local/supervise';
import { up } from '../local/up';
import { defaultSpec } from '../spec/defaults';
import { clusterSpecJsonSchema } from '../spec/json-schema';
import { loadSpecFile } from '../spec/load';
import { formatProblem } from '../spec/spec-error';
import { formatStatus, localClusterStatus } from './status-command';
import { exitCodeOf } from './cli-errors';
import { confirm } from './confirm';
import { polygresVersion } from '../util/version';
import { clusterStateDir, resolveStateDir } from './resolve-state-dir';
import { addRestoreCommand } from './restore-command';
import { addMaintenanceCommands } from './maintenance-commands';
import { addApplyCommand } from './apply-command';
import { specForUp } from './up-spec';
import { addPauseCommands } from './pause-commands';
import { addDashboardCommand } from './dashboard-command';
import { reportBackupProgress } from './backup-progress';
import { formatBytes } from '../util/format-bytes';
import { addLogsCommand } from './logs-command';
import { zoneNetworksOf } from '../local/zone-placement';

interface PoolsReport {
  /** A gateway's pools also name the instance (`node`) whose Postgres they serve. */
  readonly pools: (PoolStats & { readonly node?: string })[];
  readonly sessions: number;
  readonly pinned: Record<string, number>;
}

const out = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

/** A repeated option's values, in order. */
function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function port(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1 || parsed > 65535) throw new InvalidArgumentError('must be a port number (1-65535)');
  return parsed;
}

export function buildProgram(): Command {
  const program = new Command('polygres')
    .description('PostgreSQL with high availability: gateway, pooler, consensus orchestrator.')
    .version(polygresVersion(), '-V, --version', 'print the version')
    .exitOverride()
    .showHelpAfterError();

  program
    .command('up')
    .description('start a local cluster: etcd, Postgres per instance, a pooler each, a gateway per zone, orchestrators')
    .option('--spec <file>', 'ClusterSpec JSON file (default: three zones, one instance each, atLeast(2))')
    .option('--state-dir <dir>', 'where the cluster keeps its data (default: ./.polygres/<cluster>)')
    .option('--base-port <port>', 'first port of the block the cluster uses (default: 15432)', port)
    .option('--detach', 'return once the cluster accepts writes, leaving it running in the background')
    .option('--zone-network <zone=netns@address>', "run a zone's processes in a network namespace made beforehand, on its address (every zone, as root; to rehearse partitions)", collect, [])
    .action(async (options: { spec?: string; stateDir?: string; basePort?: number; detach?: boolean; zoneNetwork: string[] }) => {
      const { spec, warnings } = specForUp(options.spec, options.stateDir);
      for (const warning of warnings) out(`warning: ${formatProblem(warning).trim()}`);
      const zoneNetworks = zoneNetworksOf(options.zoneNetwork, spec.zones.map((zone) => zone.name), (netns) => existsSync(`/run/netns/${netns}`));
      await up({
        spec,
        ...(options.stateDir !== undefined ? { stateDir: options.stateDir } : {}),
        ...(options.basePort !== undefined ? { basePort: options.basePort } : {}),
        ...(zoneNetworks ? { zoneNetworks } : {}),
        detach: options.detach ?? false,
        out,
      });
    });

  program
    .command('down')
    .description('stop every process of a local cluster; --purge also deletes its data')
    .option('--state-dir <dir>', 'state directory of the cluster')
    .option('--purge', 'delete the data too (asks first; --yes when there is no terminal)')
    .option('--yes', 'do not ask: the purge is intended')
    .action(async (options: { stateDir?: string; purge?: boolean; yes?: boolean }) => {
      const stateDir = resolveStateDir(options.stateDir);
      if (options.purge && existsSync(layoutFile(stateDir))) {
        await confirm({ consequence: `stop cluster "${readLayoutOfStateDir(stateDir).cluster}" and delete every database in it (${stateDir})`, yes: options.yes ?? false });
      }
      await stopCluster({ stateDir, purge: options.purge ?? false, out });
    });

  program
    .command('status')
    .description('show term, primary, policy, instances and gateways of a local cluster')
    .option('--state-dir <dir>', 'state directory of the cluster')
    .option('--json', 'print JSON')
    .option('--show-secrets', "put the superuser's password in the connection URL (it is left out otherwise)")
    .action(async (options: { stateDir?: string; json?: boolean; showSecrets?: boolean }) => {
      const status = await localClusterStatus(clusterStateDir(options.stateDir), { showSecrets: options.showSecrets ?? false });
      out(options.json ? JSON.stringify(status, null, 2) : formatStatus(status));
    });

  program
    .command('switchover')
    .description('planned switchover: move the primary role to another instance (the most advanced, or --to)')
    .option('--state-dir <dir>', 'state directory of the cluster')
    .option('--to <instance>', 'instance to promote')
    .option('--yes', 'do not ask: the switchover is intended')
    .action(async (options: { stateDir?: string; to?: string; yes?: boolean }) => {
      const layout = readLayoutOfStateDir(clusterStateDir(options.stateDir));
      await confirm({ consequence: `move the primary of cluster "${layout.cluster}" to ${options.to ?? 'the most advanced standby'} (writes pause for about a second)`, yes: options.yes ?? false });
      out(describeSwitchover(await switchOverCluster(layout, options.to)));
    });

  program
    .command('set-durability')
    .description('change the durability policy live: atLeast:N, multiZone:N, surviveZoneFailure or none')
    .argument('<policy>', 'atLeast:N | multiZone:N | surviveZoneFailure | none', parsePolicyArgument)
    .option('--state-dir <dir>', 'state directory of the cluster')
    .action(async (durability: DurabilityPolicySpec, options: { stateDir?: string }) => {
      const layout = readLayoutOfStateDir(clusterStateDir(options.stateDir));
      const rule = await callOrchestrator<ShardRule>(layout, {
        method: 'POST',
        path: '/v1/durability',
        body: { durability },
        timeoutMs: 120_000,
      });
      out(`term ${rule.term}: durability ${policyFor(rule.policy).describe()}, synchronous_standby_names ${syncStandbyNames(rule.sync) || '(asynchronous)'}`);
    });

  program
    .command('history')
    .description('every action the orchestrators took, with its term')
    .option('--state-dir <dir>', 'state directory of the cluster')
    .option('--json', 'print JSON')
    .action(async (options: { stateDir?: string; json?: boolean }) => {
      const layout = readLayoutOfStateDir(clusterStateDir(options.stateDir));
      const entries = await callOrchestrator<HistoryEntry[]>(layout, { method: 'GET', path: '/v1/history' });
      if (options.json) return out(JSON.stringify(entries, null, 2));
      for (const entry of entries) out(`${entry.at}  term ${String(entry.term).padEnd(4)} ${entry.action.padEnd(15)} ${entry.outcome.padEnd(9)} ${entry.by}  ${entry.detail}`);
    });

  program
    .command('backup')
    .description('take a backup now with pgBackRest (from a standby when there is one); --verify checks the repository instead')
    .option('--state-dir <dir>', 'state directory of the cluster')
    .option('--type <type>', 'full, diff or incr', 'full')
    .option('--verify', 'run pgbackrest verify on the repository')
    .action(async (options: { stateDir?: string; type: string; verify?: boolean }) => {
      const layout = readLayoutOfStateDir(clusterStateDir(options.stateDir));
      const status = await localClusterStatus(layout.stateDir);
      const source = status.instances.find((i) => i.role === 'replica' && i.healthy) ?? status.instances.find((i) => i.healthy);
      if (!source) throw new Error('no healthy instance to back up from; see polygres status');
      const target = layout.instances.find((i) => i.name === source.name)!;
      const { adminToken } = readSecrets(layout.secretsFile);
      if (options.verify) {
        const result = await callAdmin<{ report: string }>({ host: target.host, port: target.adminPort, token: adminToken, method: 'POST', path: '/v1/verify', timeoutMs: 24 * 3_600_000 });
        return out(result.report.trim() || 'verify: no problems found');
      }
      const admin = { host: target.host, port: target.adminPort, token: adminToken };
      const askProgress = () => callAdmin<{ percent: number | null }>({ ...admin, path: '/v1/backup-progress', timeoutMs: 60_000 });
      const running = (await askProgress().catch(() => ({ percent: null }))).percent;
      // pgBackRest runs one backup of a stanza at a time; the pooler waits for the running one.
      if (running !== null) out(`Another backup is running (${running}% copied: the first full backup after up, or a scheduled one); this one starts when it ends...`);
      out(`Taking a ${options.type} backup from ${source.name}...`);
      const progress = reportBackupProgress(askProgress, out);
      const record = await callAdmin<BackupRecord>({ ...admin, method: 'POST', path: '/v1/backup', body: { type: options.type }, timeoutMs: 24 * 3_600_000 }).finally(progress.stop);
      out(`${record.label}  ${record.type}  ${record.start} -> ${record.stop}  ${formatBytes(record.sizeBytes)}  WAL ${record.walStart} .. ${record.walStop}`);
    });

  program
    .command('backups')
    .description('the backups in the repository: label, type, start and stop, size, WAL range')
    .option('--state-dir <dir>', 'state directory of the cluster')
    .option('--json', 'print JSON')
    .action(async (options: { stateDir?: string; json?: boolean }) => {
      const layout = readLayoutOfStateDir(clusterStateDir(options.stateDir));
      const { adminToken } = readSecrets(layout.secretsFile);
      let info: StanzaInfo | undefined;
      let lastError: unknown;
      for (const instance of layout.instances) {
        try {
          info = await callAdmin<StanzaInfo>({ host: instance.host, port: instance.adminPort, token: adminToken, path: '/v1/backups', timeoutMs: 60_000 });
          break;
        } catch (error) {
          lastError = error;
        }
      }
      if (!info) throw lastError instanceof Error ? lastError : new Error('no pooler answered');
      if (options.json) return out(JSON.stringify(info, null, 2));
      out(`stanza status: ${info.status}; archived WAL ${info.walMin ?? '-'} .. ${info.walMax ?? '-'}`);
      out('LABEL                              TYPE  START                     STOP                      SIZE      WAL START .. STOP');
      for (const b of info.backups) out(`${b.label.padEnd(34)} ${b.type.padEnd(5)} ${b.start.padEnd(25)} ${b.stop.padEnd(25)} ${formatBytes(b.sizeBytes).padEnd(9)} ${b.walStart} .. ${b.walStop}`);
    });

  addRestoreCommand(program, out, port);
  addMaintenanceCommands(program, out);
  addApplyCommand(program, out);
  addPauseCommands(program, out);
  addDashboardCommand(program, out);
  addLogsCommand(program);

  program
    .command('pools')
    .description("pools of each pooler and of each gateway (for its zone's Postgres on its host): active, idle and waiting server connections, statements pipelined behind another session's, sessions, pinned sessions by reason")
    .option('--state-dir <dir>', 'state directory of the cluster')
    .option('--json', 'print JSON')
    .action(async (options: { stateDir?: string; json?: boolean }) => {
      const layout = readLayoutOfStateDir(clusterStateDir(options.stateDir));
      const { adminToken } = readSecrets(layout.secretsFile);
      const ask = (host: string, port: number) =>
        callAdmin<PoolsReport>({ host, port, token: adminToken, path: '/v1/pools' }).catch((error: Error) => ({ error: error.message }));
      const [poolers, gateways] = await Promise.all([
        Promise.all(layout.instances.map(async (instance) => ({ instance: instance.name, report: await ask(instance.host, instance.adminPort) }))),
        Promise.all(layout.gateways.map(async (gateway) => ({ gateway: gateway.zone, report: await ask(gateway.host, gateway.metricsPort) }))),
      ]);
      if (options.json) return out(JSON.stringify([...poolers, ...gateways], null, 2));
      out('PROCESS              USER/DATABASE                    ACTIVE  IDLE  WAITING  PIPELINED  SESSIONS  PINNED');
      const rows = [
        ...poolers.map(({ instance, report }) => ({ process: `pooler-${instance}`, report })),
        ...gateways.map(({ gateway, report }) => ({ process: `gateway-${gateway}`, report })),
      ];
      for (const { process, report } of rows) {
        if ('error' in report) {
          out(`${process.padEnd(20)} (not reachable: ${report.error})`);
          continue;
        }
        const pinned = Object.entries(report.pinned).map(([reason, count]) => `${reason}=${count}`).join(' ') || '-';
        const sessions = String(report.sessions).padEnd(9);
        if (report.pools.length === 0) out(`${process.padEnd(20)} ${'(no pools yet)'.padEnd(32)} -       -     -        -          ${sessions} ${pinned}`);
        for (const pool of report.pools) {
          const name = `${pool.user}/${pool.database}${pool.node ? ` on ${pool.node}` : ''}`;
          out(`${process.padEnd(20)} ${name.padEnd(32)} ${String(pool.active).padEnd(7)} ${String(pool.idle).padEnd(5)} ${String(pool.waiting).padEnd(8)} ${String(pool.pipelined).padEnd(10)} ${sessions} ${pinned}`);
        }
      }
    });

  program
    .command('spec')
    .description('print the default ClusterSpec, validate a spec file, or print the JSON Schema')
    .option('--validate <file>', 'validate a spec file and print it with defaults filled in')
    .option('--json-schema', 'print the ClusterSpec JSON Schema')
    .action((options: { validate?: string; jsonSchema?: boolean }) => {
      if (options.jsonSchema) {
        out(JSON.stringify(clusterSpecJsonSchema(), null, 2));
        return;
      }
      const { spec, warnings } = options.validate ? loadSpecFile(options.validate) : { spec: defaultSpec(), warnings: [] };
      for (const warning of warnings) process.stderr.write(`warning: ${formatProblem(warning).trim()}\n`);
      out(JSON.stringify(spec, null, 2));
    });

  // The services below are what the supervisor (and Kubernetes containers) run.
  program
    .command('supervise', { hidden: true })
    .requiredOption('--state-dir <dir>')
    .action(async (options: { stateDir: string }) => {
      const running = superviseCluster(readLayoutOfStateDir(options.stateDir));
      const stop = () => void running.stop();
      process.on('SIGTERM', stop);
      process.on('SIGINT', stop);
      // The layout changed (polygres apply added or removed an instance): match it.
      process.on('SIGHUP', () => void running.reload().catch(() => undefined));
      await running.stopped;
    });
  program
    .command('pooler')
    .description('run the pooler beside one Postgres instance')
    .requiredOption('--layout <file>')
    .requiredOption('--instance <name>')
    .action(async (options: { layout: string; instance: string }) => {
      await runPooler({ layoutFile: options.layout, instance: options.instance });
    });
  program
    .command('gateway')
    .description('run the gateway of one zone')
    .requiredOption('--layout <file>')
    .requiredOption('--zone <zone>')
    .action(async (options: { layout: string; zone: string }) => {
      await runGateway({ layoutFile: options.layout, zone: options.zone });
    });
  program
    .command('orchestrator')
    .description('run an orchestrator')
    .requiredOption('--layout <file>')
    .requiredOption('--name <name>')
    .action(async (options: { layout: string; name: string }) => {
      await runOrchestrator({ layoutFile: options.layout, name: options.name });
    });
  return program;
}

export function main(argv: string[]): void {
  buildProgram()
    .parseAsync(argv)
    .catch((error: unknown) => {
      // Commander has printed its own errors (and help, and the version) already. A command's
      // action reports a usage error as UsageError, which is printed here.
      if (!(error instanceof CommanderError)) process.stderr.write(`polygres: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = exitCodeOf(error);
    });
}

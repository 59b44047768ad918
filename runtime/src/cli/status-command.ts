import { type ArchiveView, collectClusterStatus, type ClusterStatus } from '../orchestrator/cluster-status';
import { openTopoStore } from '../deployment/topo-access';
import { connectionUrl, firstGateway } from '../local/connection';
import { layoutFile } from '../deployment/layout';
import { readLayout } from '../deployment/layout-file';
import { readSecrets } from '../deployment/secrets';
import type { ChildState } from '../local/supervisor';
import { readSupervisorState } from '../local/supervisor-files';
import { isOurProcess } from '../util/processes';
import { polygresVersion } from '../util/version';

export interface LocalClusterStatus extends ClusterStatus {
  /** The version of Polygres that reports this (`polygres --version`). */
  readonly version: string;
  readonly stateDir: string;
  /** libpq URL of the first zone's gateway, for psql; with the password only when asked (`--show-secrets`). */
  readonly connectionUrl: string;
  /** Where the superuser's password is kept (`superuserPassword`), readable by whoever runs the cluster. */
  readonly secretsFile: string;
  readonly supervisor: { readonly pid: number | null; readonly running: boolean };
  /** Every supervised process with its restarts and last exit: crashes are visible here. */
  readonly processes: readonly ChildState[];
}

export async function localClusterStatus(stateDir: string, options: { showSecrets?: boolean } = {}): Promise<LocalClusterStatus> {
  const layout = readLayout(layoutFile(stateDir));
  const secrets = readSecrets(layout.secretsFile);
  const topo = openTopoStore(layout, { callTimeoutMs: 1_500 });
  let rule;
  try {
    rule = (await topo.getRule().catch(() => undefined))?.value;
  } finally {
    topo.close();
  }
  const status = await collectClusterStatus(layout, secrets.adminToken, rule);
  const supervisorState = readSupervisorState(layout);
  const running = supervisorState !== undefined && isOurProcess(supervisorState.pid, layout.stateDir);
  return {
    version: polygresVersion(),
    ...status,
    stateDir,
    connectionUrl: connectionUrl(firstGateway(layout), options.showSecrets ? secrets.superuserPassword : undefined),
    secretsFile: layout.secretsFile,
    supervisor: { pid: supervisorState?.pid ?? null, running },
    processes: running ? supervisorState.children : [],
  };
}

/** The status as a terminal table. */
export function formatStatus(status: LocalClusterStatus): string {
  const lines: string[] = [];
  lines.push(`Cluster ${status.cluster}  (${status.stateDir})  polygres ${status.version}`);
  if (!status.supervisor.running) lines.push('  NOT RUNNING (no supervisor); start it with polygres up');
  lines.push(`  term ${status.term ?? '-'}   primary ${status.primary ?? '-'}   policy ${status.policy ?? '-'}   rule ${status.ruleStatus ?? '-'}`);
  lines.push(`  synchronous_standby_names: ${status.syncStandbyNames || '(asynchronous)'}`);
  if (status.archive) lines.push(`  archive: ${describeArchive(status.archive)}`);
  lines.push(`  connect: psql "${status.connectionUrl}"`);
  if (!/^postgresql:\/\/[^/@:]+:[^@]*@/.test(status.connectionUrl)) lines.push(`           password: "superuserPassword" in ${status.secretsFile} (or add --show-secrets)`);
  lines.push('');
  lines.push(table(
    ['INSTANCE', 'ZONE', 'ROLE', 'POSTGRES', 'POOLER', 'HEALTHY', 'LSN', 'SYNC', 'PHASE'],
    status.instances.map((i) => [i.name, i.zone, i.role, `${i.host}:${i.port}`, String(i.poolerPort), i.healthy ? 'yes' : 'NO', i.lsn ?? '-', i.syncState ?? '-', i.phase]),
  ));
  lines.push('');
  lines.push(table(
    ['GATEWAY', 'ADDRESS', 'LISTENING'],
    status.gateways.map((g) => [g.zone, `${g.host}:${g.port}`, g.listening ? 'yes' : 'NO']),
  ));
  const troubled = status.processes.filter((p) => p.restarts > 0 || !p.running);
  if (troubled.length > 0) {
    lines.push('');
    lines.push(table(
      ['PROCESS', 'RUNNING', 'RESTARTS', 'LAST EXIT'],
      troubled.map((p) => [p.name, p.running ? 'yes' : 'NO', String(p.restarts), p.lastExit ? `${p.lastExit.signal ?? `code ${p.lastExit.code}`} at ${p.lastExit.at}` : '-']),
    ));
  }
  for (const instance of status.instances.filter((i) => i.error)) lines.push(`  ${instance.name}: ${instance.error}`);
  if (status.problems.length > 0) {
    lines.push('');
    for (const problem of status.problems) lines.push(`  ! ${problem}`);
  }
  return lines.join('\n');
}

function describeArchive(archive: ArchiveView): string {
  const last = archive.lastArchivedAt ? `last WAL segment archived ${archive.ageSeconds} s ago (${archive.lastArchivedAt}); a restore reaches up to there` : 'no WAL segment archived yet';
  const failing = archive.lastFailedAt && (!archive.lastArchivedAt || archive.lastFailedAt > archive.lastArchivedAt);
  return failing ? `${last}; FAILING since ${archive.lastFailedAt} (${archive.failedCount} failures)` : last;
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const render = (row: string[]) => `  ${row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd()}`;
  return [render(header), ...rows.map(render)].join('\n');
}

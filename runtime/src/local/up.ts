/**
 * `polygres up`: prepare the state directory, start the supervisor (`polygres supervise`,
 * in its own process group), show progress until a write through a gateway commits, and
 * print how to connect. With --detach it returns then; otherwise it stays in the
 * foreground, prints what the supervisor reports, and stops the cluster on Ctrl-C.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import type { ClusterSpec } from '../spec/schema';
import { isAlive, terminate } from '../util/processes';
import { sleep } from '../util/net';
import { POLYGRES_BIN } from './children';
import { connectionUrl, firstGateway } from './connection';
import { describeEvent } from './describe-event';
import { stopCluster } from './down';
import type { ClusterLayout, ZoneNetwork } from '../deployment/layout';
import { followLines } from './follow-lines';
import { prepareCluster } from './prepare';
import { readSecrets } from '../deployment/secrets';
import { followStartup } from './startup-progress';
import type { SupervisorEvent } from './supervisor';
import { supervisorLogFile } from './supervisor-files';
import { dataPathRuntime, runtimeExecutable } from './service-runtime';

export interface UpOptions {
  readonly spec: ClusterSpec;
  readonly stateDir?: string;
  readonly basePort?: number;
  /** A network namespace per zone (`--zone-network`; see ZoneNetwork). */
  readonly zoneNetworks?: Readonly<Record<string, ZoneNetwork>>;
  readonly detach: boolean;
  readonly out: (line: string) => void;
  /** Runs once the cluster accepts writes, before up returns or stays in the foreground. */
  readonly onReady?: (layout: ClusterLayout) => Promise<void>;
}

export async function up(options: UpOptions): Promise<ClusterLayout> {
  const { out } = options;
  // Before anything starts: a runtime that cannot be found fails here, not in the supervisor.
  const runtime = dataPathRuntime();
  const executable = runtimeExecutable(runtime);
  const layout = await prepareCluster({
    spec: options.spec,
    ...(options.stateDir !== undefined ? { stateDir: options.stateDir } : {}),
    ...(options.basePort !== undefined ? { basePort: options.basePort } : {}),
    ...(options.zoneNetworks ? { zoneNetworks: options.zoneNetworks } : {}),
  });
  out(`Starting cluster "${layout.cluster}" in ${layout.stateDir} (ports ${layout.portRange[0]}-${layout.portRange[1]})`);
  if (layout.postgresUser && !layout.serviceUser) {
    out(`! The services run as root: user ${layout.postgresUser.name} cannot read this installation (${POLYGRES_BIN}).`);
    out(`  Install Polygres where ${layout.postgresUser.name} can read it (e.g. under /opt), then create the cluster again (down --purge, up).`);
  }
  // Said every time: which runtime serves the data path depends on what is installed.
  out(`The data path (gateways, poolers) runs on ${runtime}: ${executable}`);
  const secrets = readSecrets(layout.secretsFile);
  const supervisorPid = startSupervisor(layout);
  const events = followLines(supervisorLogFile(layout), (line) => {
    const described = describeEvent(JSON.parse(line) as SupervisorEvent);
    if (described) out(described);
  });
  try {
    await followStartup({ layout, secrets, out, supervisorPid });
  } catch (error) {
    events.stop();
    out('Startup failed; stopping what was started.');
    await stopCluster({ stateDir: layout.stateDir, purge: false, out: () => undefined });
    throw error;
  }
  await options.onReady?.(layout);
  printReady(layout, secrets.superuserPassword, out, options.detach);
  if (options.detach) {
    events.stop();
    return layout;
  }
  const stopOnSignal = () => {
    out('Stopping the cluster...');
    void terminate(supervisorPid, 180_000);
  };
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);
  while (isAlive(supervisorPid)) await sleep(200);
  events.stop();
  out('Cluster stopped.');
  return layout;
}

/** The supervisor gets its own session so that Ctrl-C reaches it only through us, in order. */
function startSupervisor(layout: ClusterLayout): number {
  const log = openSync(supervisorLogFile(layout), 'a');
  const child = spawn(process.execPath, [POLYGRES_BIN, 'supervise', '--state-dir', layout.stateDir], {
    detached: true,
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  child.unref();
  if (child.pid === undefined) throw new Error('could not start the supervisor process');
  return child.pid;
}

function printReady(layout: ClusterLayout, password: string, out: (line: string) => void, detached: boolean): void {
  const url = connectionUrl(firstGateway(layout), password);
  const stateDirFlag = `--state-dir ${layout.stateDir}`;
  out('');
  out(`Cluster "${layout.cluster}" is ready. Connect with:`);
  out(`  psql "${url}"`);
  out('');
  out(`  status:  npx polygres status ${stateDirFlag}`);
  out(detached ? `  stop:    npx polygres down ${stateDirFlag}` : '  stop:    press Ctrl-C');
}

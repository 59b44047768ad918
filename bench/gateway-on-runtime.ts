/**
 * A second gateway for one zone of a running local cluster, on a runtime of the bench's
 * choosing (Node or Bun): the same compiled code, the same spec, secrets and pools' settings,
 * on ports of its own. So one bench run compares the data path on both runtimes side by side,
 * against the same Postgres and PgBouncer.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readLayoutOfStateDir } from '../runtime/src/deployment/layout-file';
import { serviceDirOf } from '../runtime/src/deployment/layout';
import type { ClusterSpec } from '../runtime/src/spec/schema';
import { loadSpecFile } from '../runtime/src/spec/load';
import { POLYGRES_BIN } from '../runtime/src/local/children';
import { type DataPathRuntime, runtimeEnvironment, runtimeExecutable } from '../runtime/src/local/service-runtime';
import { isListening, sleep } from '../runtime/src/util/net';
import { claimPortBlock } from '../test/support/ports';

export interface ExtraGateway {
  readonly port: number;
  readonly process: ChildProcess;
  /** SIGTERM, then the exit (a profiler writes its profile on the way out). */
  stop(): Promise<void>;
}

export interface ExtraGatewayOptions {
  /** Go to the runtime before the script (e.g. --cpu-prof). */
  readonly flags?: readonly string[];
  /** Changes to the cluster's spec for this gateway alone (a pool setting, say); `name` tells its files apart. */
  readonly spec?: { readonly name: string; readonly change: (spec: ClusterSpec) => ClusterSpec };
  /** Added to this gateway's environment (POLYGRES_BUN_SOCKETS, say); `name` tells its files apart. */
  readonly env?: { readonly name: string; readonly values: Readonly<Record<string, string>> };
}

export async function startGatewayOn(runtime: DataPathRuntime, stateDir: string, zone: string, options: ExtraGatewayOptions = {}): Promise<ExtraGateway> {
  const layout = readLayoutOfStateDir(stateDir);
  const block = await claimPortBlock();
  const variant = [runtime, options.spec?.name, options.env?.name].filter(Boolean).join('-');
  const specFile = options.spec ? join(serviceDirOf(layout), `spec-${variant}-gateway.json`) : layout.specFile;
  if (options.spec) writeFileSync(specFile, JSON.stringify(options.spec.change(loadSpecFile(layout.specFile).spec), null, 2), { mode: 0o644 });
  const copy = {
    ...layout,
    specFile,
    gateways: layout.gateways.map((gateway) => (gateway.zone === zone ? { ...gateway, port: block.base, replicaPort: block.base + 1, metricsPort: block.base + 2 } : gateway)),
  };
  // Beside the services' own copy, where the service account reads.
  const file = join(serviceDirOf(layout), `layout-${variant}-gateway.json`);
  writeFileSync(file, JSON.stringify(copy, null, 2), { mode: 0o644 });
  const logFile = join(layout.logDir, `gateway-${zone}-${variant}.log`);
  const log = openSync(logFile, 'a');
  const user = layout.serviceUser ? { uid: layout.serviceUser.uid, gid: layout.serviceUser.gid } : {};
  // The environment the cluster's own services get on this runtime (children.ts), so the bench measures what ships.
  const child = spawn(runtimeExecutable(runtime), [...(options.flags ?? []), POLYGRES_BIN, 'gateway', '--zone', zone, '--layout', file], { stdio: ['ignore', log, log], env: { ...process.env, ...runtimeEnvironment(runtime, []), ...options.env?.values }, ...user });
  child.on('exit', () => block.release());
  for (let i = 0; i < 200 && !(await isListening('127.0.0.1', block.base)); i++) await sleep(100);
  if (!(await isListening('127.0.0.1', block.base))) {
    child.kill('SIGKILL');
    throw new Error(`the ${variant} gateway for ${zone} did not listen on ${block.base}: see ${logFile}`);
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    port: block.base,
    process: child,
    stop: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/**
 * The command that starts a data-path service (a gateway or a pooler) of a container on the
 * runtime a local cluster would give it (service-runtime.ts: Bun where the image has the bun
 * package, which @polygres/runtime installs as an optional dependency; Node where not), as one
 * shell `exec` line. bin/polygres-data-path runs it: the Kubernetes target's gateway and pooler
 * containers start there. Node cannot replace itself with another program, so the shell does:
 * the service is the container's main process and gets its signals first-hand.
 *
 * Run as a program, it prints that line for the arguments it is given (bin/polygres-data-path
 * passes its own); an invalid choice (POLYGRES_DATA_PATH_RUNTIME, POLYGRES_BUN) or a command
 * that is not a data-path service is an error on stderr, exit 2.
 */
import { clusterHosts } from './layout';
import { readLayout } from './layout-file';
import { dataPathRuntime, runtimeEnvironment, runtimeExecutable, runtimeFlags } from './service-runtime';
import { shellQuote } from '../util/shell-quote';

/** The commands of the data path: what the Kubernetes target's gateway and pooler containers run. */
const DATA_PATH_COMMANDS = ['gateway', 'pooler'];

/**
 * `exec [env NAME=value...] <runtime> [flags] <polygres> <args...>`, every word shell-quoted.
 * The cluster's own hosts (from the layout `--layout` names, when it can be read; the service
 * itself reports a layout it cannot read) go direct, not through a proxy (runtimeEnvironment).
 */
export function dataPathLaunchLine(polygres: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): string {
  const [command] = args;
  if (command === undefined || !DATA_PATH_COMMANDS.includes(command)) {
    throw new Error(`it starts ${DATA_PATH_COMMANDS.join(' or ')}, not ${command === undefined ? 'nothing' : `"${command}"`}: run \`polygres ${command ?? '--help'}\` for the other commands`);
  }
  const runtime = dataPathRuntime(env);
  const executable = runtimeExecutable(runtime, env);
  const environment = Object.entries(runtimeEnvironment(runtime, hostsOfLayoutIn(args), env)).map(([name, value]) => `${name}=${value}`);
  const words = [...(environment.length > 0 ? ['env', ...environment] : []), executable, ...runtimeFlags(runtime, env), polygres, ...args];
  return `exec ${words.map(shellQuote).join(' ')}\n`;
}

function hostsOfLayoutIn(args: readonly string[]): string[] {
  const at = args.indexOf('--layout');
  const file = at >= 0 ? args[at + 1] : undefined;
  if (file === undefined) return [];
  try {
    return clusterHosts(readLayout(file));
  } catch {
    return [];
  }
}

if (require.main === module) {
  const [polygres, ...args] = process.argv.slice(2);
  try {
    process.stdout.write(dataPathLaunchLine(polygres!, args));
  } catch (error) {
    process.stderr.write(`polygres-data-path: ${(error as Error).message}\n`);
    process.exitCode = 2;
  }
}

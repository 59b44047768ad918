/**
 * Which JavaScript runtime runs the data path (gateways and poolers) of a local cluster: Bun
 * when it is installed (the default), else Node. Bun serves more transactions per second in
 * the clear and with TLS from the client (bench/results/pooler.md: 0.87x and 1.03x PgBouncer
 * select-only, against Node's 0.72x and 0.82x), and the whole suite passes on both
 * (docs/DECISIONS.md, "Data path: depth, runtime, budget"). The same compiled code runs on
 * both; the orchestrators and the CLI always run on Node.
 *
 * Bun is the binary of the `bun` npm package (an optional dependency: where optional
 * dependencies were left out, the data path runs on Node) or the one POLYGRES_BUN names.
 * POLYGRES_DATA_PATH_RUNTIME=node or =bun chooses; an explicit bun that cannot be found is an
 * error, not a quiet fall back to Node.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';

export type DataPathRuntime = 'node' | 'bun';

const RUNTIMES: readonly DataPathRuntime[] = ['node', 'bun'];

/**
 * The runtime POLYGRES_DATA_PATH_RUNTIME asks for, or, unset, Bun where it is installed and
 * Node where it is not; an unknown name is an error that says the choices.
 */
export function dataPathRuntime(env: NodeJS.ProcessEnv = process.env, bunInstalled: () => boolean = () => bunNamed(env) !== undefined || bunFromPackage() !== undefined): DataPathRuntime {
  const asked = env.POLYGRES_DATA_PATH_RUNTIME?.trim() || (bunInstalled() ? 'bun' : 'node');
  if ((RUNTIMES as readonly string[]).includes(asked)) return asked as DataPathRuntime;
  throw new Error(`POLYGRES_DATA_PATH_RUNTIME=${asked} is not a runtime Polygres runs on: use one of ${RUNTIMES.join(', ')}`);
}

/** The executable that runs a data-path service on `runtime`. */
export function runtimeExecutable(runtime: DataPathRuntime, env: NodeJS.ProcessEnv = process.env): string {
  if (runtime === 'node') return process.execPath;
  const named = bunNamed(env);
  if (named) {
    if (!existsSync(named)) throw new Error(`POLYGRES_BUN=${named} does not exist: point it at a bun binary, or unset it to use the bun npm package`);
    return named;
  }
  const found = bunFromPackage();
  if (!found) throw new Error('POLYGRES_DATA_PATH_RUNTIME=bun, but the bun npm package is not installed: run `npm install` (it is an optional dependency of @polygres/runtime) or set POLYGRES_BUN');
  return found;
}

/** The Bun binary POLYGRES_BUN names: named, it is the one used (and must exist). */
function bunNamed(env: NodeJS.ProcessEnv): string | undefined {
  return env.POLYGRES_BUN?.trim() || undefined;
}

/**
 * The bun package's postinstall moves the platform binary to bun/bin/bun.exe; where install
 * scripts did not run, that file is a small placeholder and the binary is still in the
 * platform package (@oven/bun-<os>-<arch>).
 */
function bunFromPackage(): string | undefined {
  const candidates: string[] = [];
  const packageDir = resolvePackageDir('bun');
  if (packageDir) candidates.push(join(packageDir, 'bin', 'bun.exe'));
  const platformDir = resolvePackageDir(`@oven/bun-${process.platform}-${process.arch === 'arm64' ? 'aarch64' : 'x64'}`);
  if (platformDir) candidates.push(join(platformDir, 'bin', 'bun'));
  // The real binary is tens of megabytes; the placeholder a few kilobytes.
  return candidates.find((file) => existsSync(file) && statSync(file).size > 1_000_000);
}

function resolvePackageDir(name: string): string | undefined {
  try {
    return dirname(require.resolve(`${name}/package.json`));
  } catch {
    return undefined;
  }
}

/** Flags for every Node service (POLYGRES_NODE_FLAGS, e.g. --cpu-prof to profile); Bun takes none of Node's. */
export function runtimeFlags(runtime: DataPathRuntime, env: NodeJS.ProcessEnv = process.env): string[] {
  if (runtime !== 'node') return [];
  return (env.POLYGRES_NODE_FLAGS ?? '').split(' ').filter((flag) => flag !== '');
}

/**
 * What a data-path service needs in its environment on `runtime`:
 * - Bun's fetch, unlike Node's, goes through HTTP_PROXY/HTTPS_PROXY when they are set: the
 *   admin calls between the cluster's own services (a gateway asking a pooler for a password
 *   verifier, say) would then go to the operator's proxy — or, offline, nowhere. The
 *   cluster's own hosts are added to NO_PROXY, so internal calls go direct while anything else
 *   the operator proxies stays proxied.
 * - Bun's allocator (mimalloc) gives freed pages back to the kernel 10 ms after they empty and
 *   takes them back at the next read: under pgbench -S that was a page fault every three to
 *   five transactions and ~4 µs of system CPU per transaction (docs/DECISIONS.md, "mimalloc
 *   keeps its pages"). MIMALLOC_PURGE_DELAY=-1 keeps them, as glibc's malloc under Node or
 *   PgBouncer does: a process's resident memory is its high-water mark, which the memory
 *   budgets bound. An operator's own MIMALLOC_PURGE_DELAY wins.
 */
export function runtimeEnvironment(runtime: DataPathRuntime, internalHosts: readonly string[], env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  if (runtime !== 'bun') return {};
  const listed = (env.NO_PROXY ?? env.no_proxy ?? '').split(',').map((host) => host.trim()).filter((host) => host !== '');
  const hosts = [...new Set([...listed, '127.0.0.1', 'localhost', '::1', ...internalHosts])].join(',');
  return { NO_PROXY: hosts, no_proxy: hosts, MIMALLOC_PURGE_DELAY: env.MIMALLOC_PURGE_DELAY?.trim() || KEEP_FREED_PAGES };
}

/** mimalloc's purge delay for "never": freed pages stay with the process, for its next allocations. */
const KEEP_FREED_PAGES = '-1';

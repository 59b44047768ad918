/**
 * Controls one Postgres server with its own tools (initdb, pg_basebackup, pg_ctl, pg_rewind,
 * pg_controldata), as the unprivileged OS user when Polygres runs as root. Postgres is
 * started detached from the pooler, so a pooler crash or restart never takes the database
 * down with it.
 */
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { type OsUser, asUser, giveTo } from '../util/os-account';
import { serviceEnvironment } from '../util/service-environment';
import { REPLICATION_USER, SUPERUSER } from '../deployment/secrets';
import { sleep } from '../util/net';
import { descendantsOf, killTree, postgresProcessesIn } from '../util/process-tree';
import { isAlive, pidExists } from '../util/processes';
import { INCLUDE_LINE, POLYGRES_CONF, type PostgresSettings, renderHba, renderPolygresConf } from './postgres-config';
import { verifiedTls } from './verified-tls';
import type { InternalTlsFiles } from '../deployment/layout';
import { postgresBinary } from './postgres-binaries';
import { type ControlData, parseControlData } from './control-data';
import { readWalEnd } from './wal-end';
import { lastLineOf } from '../util/last-line-of';

const run = promisify(execFile);

export interface PostgresControlOptions {
  /** Directory owned by the OS user, holding `pgdata/`, the log and the passfile. */
  readonly instanceDir: string;
  readonly osUser?: OsUser;
  /** Networks allowed to connect with a password (pg_hba.conf). */
  readonly hbaNetworks: readonly string[];
  /** The private socket directory; created here, mode 0700, owned by the OS user. */
  readonly socketDir: string;
  /** Internal TLS: served, required on TCP, and verified on every connection to another instance. */
  readonly tls?: InternalTlsFiles;
}

export class PostgresControl {
  readonly dataDir: string;
  readonly logFile: string;
  /** .pgpass for streaming (replicator) and for pg_rewind's source connection (superuser). */
  readonly passfile: string;

  constructor(private readonly options: PostgresControlOptions) {
    this.dataDir = join(options.instanceDir, 'pgdata');
    this.logFile = join(options.instanceDir, 'postgres.log');
    this.passfile = join(options.instanceDir, 'pgpass');
  }

  /** True once the data directory holds a cluster (initdb or base backup finished). */
  isInitialized(): boolean {
    return existsSync(join(this.dataDir, 'PG_VERSION')) && existsSync(join(this.dataDir, 'global', 'pg_control'));
  }

  /**
   * A rewind or clone began here and did not finish (interrupted, failed, or the agent died in
   * it): the data directory may be half old, half new — pg_rewind's own advice is a fresh copy.
   * Marked on disk, beside the data directory, so a restarted agent knows it too.
   */
  rebuildUnfinished(): boolean {
    return existsSync(this.rebuildMarker);
  }

  markRebuild(state: 'started' | 'finished'): void {
    if (state === 'started') this.writeOwned(this.rebuildMarker, `${new Date().toISOString()}\n`, 0o600);
    else rmSync(this.rebuildMarker, { force: true });
  }

  private get rebuildMarker(): string {
    return join(this.options.instanceDir, 'rebuild-unfinished');
  }

  isStandby(): boolean {
    return existsSync(join(this.dataDir, 'standby.signal'));
  }

  /** Pid of the running postmaster, from postmaster.pid, or undefined when it is not running. */
  postmasterPid(): number | undefined {
    const pid = this.recordedPostmasterPid();
    return pid !== undefined && isAlive(pid) ? pid : undefined;
  }

  /** The pid postmaster.pid names, whether that process runs or not. */
  private recordedPostmasterPid(): number | undefined {
    try {
      const pid = Number.parseInt(readFileSync(join(this.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0] ?? '', 10);
      return Number.isInteger(pid) ? pid : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * Puts back the modes Postgres and libpq insist on: a volume's group permissions re-applied
   * by Kubernetes (fsGroup) make the data directory 2770, which Postgres refuses to start on,
   * and the passfile 0660, which libpq ignores (streaming and pg_rewind then lack a password).
   */
  restorePermissions(): void {
    if (existsSync(this.dataDir)) chmodSync(this.dataDir, 0o700);
    if (existsSync(this.passfile)) chmodSync(this.passfile, 0o600);
  }

  /** Creates the instance directory owned by the OS user and the passfile. */
  prepareInstanceDir(passwords: { replication: string; superuser: string }): void {
    mkdirSync(this.options.instanceDir, { recursive: true, mode: 0o700 });
    this.chown(this.options.instanceDir);
    this.prepareSocketDir();
    const escape = (value: string) => value.replaceAll('\\', '\\\\').replaceAll(':', '\\:');
    this.writeOwned(
      this.passfile,
      `*:*:*:${REPLICATION_USER}:${escape(passwords.replication)}\n*:*:*:${SUPERUSER}:${escape(passwords.superuser)}\n`,
      0o600,
    );
  }

  /** initdb with checksums and SCRAM; the superuser gets `superuserPassword`. */
  async initdb(superuserPassword: string): Promise<void> {
    rmSync(this.dataDir, { recursive: true, force: true });
    const pwfile = join(this.options.instanceDir, 'initdb-password');
    this.writeOwned(pwfile, `${superuserPassword}\n`, 0o600);
    try {
      await this.exec('initdb', [
        '-D', this.dataDir, '-U', SUPERUSER, `--pwfile=${pwfile}`, '--auth=scram-sha-256',
        '--data-checksums', '--encoding=UTF8', '--no-locale', '--no-instructions',
      ]);
    } finally {
      rmSync(pwfile, { force: true });
    }
    this.markRebuild('finished'); // a whole new directory
  }

  /** Removes the data directory's contents and leaves it empty, owned by the OS user (for a restore). */
  emptyDataDir(): void {
    rmSync(this.dataDir, { recursive: true, force: true });
    mkdirSync(this.dataDir, { mode: 0o700 });
    this.chown(this.dataDir);
  }

  /** Copies a primary's data directory over streaming replication into an empty directory. */
  async baseBackup(from: { host: string; port: number }, signal?: AbortSignal): Promise<void> {
    rmSync(this.dataDir, { recursive: true, force: true });
    try {
      await this.exec('pg_basebackup', [
        '-D', this.dataDir, '-d', `host=${from.host} port=${from.port} user=${REPLICATION_USER}${verifiedTls(this.options.tls)}`,
        '--no-password', '-X', 'stream', '-c', 'fast', '--no-sync',
      ], { PGPASSFILE: this.passfile }, signal);
    } catch (error) {
      rmSync(this.dataDir, { recursive: true, force: true });
      throw error;
    }
    // --no-sync keeps the copy fast; flush once here so a crash cannot leave a torn standby.
    await this.exec('initdb', ['--sync-only', '-D', this.dataDir]);
  }

  /**
   * Makes a former primary follow `source`: pg_rewind replays the source's history over the
   * blocks this server changed after the timelines forked (it runs crash recovery first when
   * the server was killed). Configuration files come back from the source; configure()
   * rewrites ours afterwards.
   */
  async rewind(source: { host: string; port: number }, signal?: AbortSignal): Promise<void> {
    await this.exec('pg_rewind', [
      '--target-pgdata', this.dataDir,
      '--source-server', `host=${source.host} port=${source.port} user=${SUPERUSER} dbname=postgres connect_timeout=5${verifiedTls(this.options.tls)}`,
    ], { PGPASSFILE: this.passfile }, signal);
  }

  /**
   * Writes polygres.conf, pg_hba.conf and the standby signal for the role this server has
   * next. Returns true when polygres.conf changed (a running server then needs a reload).
   */
  configure(settings: Omit<PostgresSettings, 'upstream'>, upstream?: { host: string; port: number }): boolean {
    const confFile = join(this.dataDir, 'postgresql.conf');
    const conf = readFileSync(confFile, 'utf8');
    if (!conf.includes(INCLUDE_LINE)) this.writeOwned(confFile, `${conf}\n${INCLUDE_LINE}\n`, 0o600);
    // ALTER SYSTEM would override our file; Polygres never uses it, so nothing may linger there.
    this.writeOwned(join(this.dataDir, 'postgresql.auto.conf'), '# Polygres renders settings into polygres.conf\n', 0o600);
    const withTls: Omit<PostgresSettings, 'upstream'> = this.options.tls ? { ...settings, tls: this.options.tls } : settings;
    const full: PostgresSettings = upstream ? { ...withTls, upstream: { ...upstream, passfile: this.passfile } } : withTls;
    const rendered = renderPolygresConf(full);
    const polygresConf = join(this.dataDir, POLYGRES_CONF);
    const changed = !existsSync(polygresConf) || readFileSync(polygresConf, 'utf8') !== rendered;
    if (changed) this.writeOwned(polygresConf, rendered, 0o600);
    this.writeOwned(join(this.dataDir, 'pg_hba.conf'), renderHba(this.options.hbaNetworks, this.options.tls !== undefined), 0o600);
    return changed;
  }

  /** The settings file Polygres rendered last (configure), or undefined before the first. */
  renderedSettings(): string | undefined {
    const file = join(this.dataDir, POLYGRES_CONF);
    return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
  }

  /** Marks the data directory as a standby's (or not) for its next start. */
  setStandbySignal(standby: boolean): void {
    const signal = join(this.dataDir, 'standby.signal');
    if (standby) this.writeOwned(signal, '', 0o600);
    else rmSync(signal, { force: true });
  }

  /** The socket directory may live under /tmp and vanish on reboot: make sure it exists. */
  prepareSocketDir(): void {
    mkdirSync(this.options.socketDir, { recursive: true, mode: 0o700 });
    this.chown(this.options.socketDir);
  }

  /**
   * Starts the server. `wait` (a primary) returns once it accepts connections; without it (a
   * standby, which may need WAL from an upstream to become consistent) it returns as soon as
   * the postmaster runs, so no caller is held hostage by a standby that cannot catch up.
   */
  async start(options: { wait: boolean; settings?: Readonly<Record<string, string>> } = { wait: true }): Promise<void> {
    if (this.postmasterPid() !== undefined) return;
    this.prepareSocketDir();
    this.restorePermissions();
    // The log goes to the file pg_ctl -l names, whatever the configuration files say: a data
    // directory restored from another cluster's backup carries that cluster's.
    const logFile = { log_directory: dirname(this.logFile), log_filename: basename(this.logFile) };
    // Settings given here override every configuration file (a restore's one-off server uses them).
    const overrides = Object.entries({ ...logFile, ...options.settings }).map(([name, value]) => `-c ${name}=${quoteServerOption(value)}`);
    const extra = ['-o', overrides.join(' ')];
    if (options.wait) {
      await this.exec('pg_ctl', ['start', '-D', this.dataDir, '-l', this.logFile, '-w', '-t', '120', '-s', ...extra]);
      return;
    }
    await this.exec('pg_ctl', ['start', '-D', this.dataDir, '-l', this.logFile, '-W', '-s', ...extra]);
    for (let waited = 0; this.postmasterPid() === undefined && waited < 10_000; waited += 50) await sleep(50);
    if (this.postmasterPid() === undefined) throw new Error(`postgres did not start:\n${this.logTail()}`);
  }

  /** The pids of the running WAL receiver (a child of the postmaster), if any. */
  walReceiverPids(): number[] {
    const postmaster = this.postmasterPid();
    if (postmaster === undefined) return [];
    return descendantsOf(postmaster).filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('walreceiver');
      } catch {
        return false;
      }
    });
  }

  /** Stops the server; `fast` rolls back open transactions, `immediate` skips the checkpoint. */
  async stop(mode: 'fast' | 'immediate' = 'fast', timeoutSeconds = 60): Promise<void> {
    if (this.postmasterPid() === undefined) return;
    await this.exec('pg_ctl', ['stop', '-D', this.dataDir, '-m', mode, '-w', '-t', String(timeoutSeconds), '-s']);
  }

  /**
   * Makes sure this server accepts nothing more. `graceful` tries a fast shutdown first (open
   * transactions roll back, standbys receive all WAL); `kill`, or a server that does not
   * stop in time, is SIGKILLed with every process it forked — frozen ones included.
   */
  async fence(how: 'graceful' | 'kill'): Promise<void> {
    const recorded = this.recordedPostmasterPid();
    const pid = this.postmasterPid();
    if (pid !== undefined) {
      if (how === 'graceful') {
        try {
          await this.stop('fast', 5);
          return;
        } catch {
          // Not answering: fall through to the kill.
        }
      }
      killTree(pid);
      for (let waited = 0; isAlive(pid) && waited < 5_000; waited += 20) await sleep(20);
    }
    await this.killOrphans();
    if (recorded !== undefined) await this.releaseLockOf(recorded);
  }

  /**
   * A killed postmaster stays a zombie until whoever adopted it reaps it, and Postgres takes a
   * postmaster.pid naming a zombie for a running server: no restart, no pg_rewind (its crash
   * recovery) on this directory until then. Wait for the reaping as long as a reaper takes;
   * past that (an init that never reaps) the lock file is stale — its server and every process
   * it forked are gone — and is removed.
   */
  private async releaseLockOf(postmaster: number): Promise<void> {
    for (let waited = 0; pidExists(postmaster) && waited < 5_000; waited += 20) await sleep(20);
    if (pidExists(postmaster) && !isAlive(postmaster) && this.recordedPostmasterPid() === postmaster) rmSync(join(this.dataDir, 'postmaster.pid'), { force: true });
  }

  /**
   * The backends of a postmaster that died (killed) live on until they notice: one in the middle
   * of a statement could still write, and together they hold the shared memory a restart or
   * pg_rewind's crash recovery needs. They are killed like the rest of a fenced server.
   */
  private async killOrphans(): Promise<void> {
    if (!existsSync(this.dataDir)) return;
    const dataDir = realpathSync(this.dataDir);
    for (const orphan of postgresProcessesIn(dataDir)) killTree(orphan);
    for (let waited = 0; postgresProcessesIn(dataDir).length > 0 && waited < 5_000; waited += 20) await sleep(20);
  }

  async reload(): Promise<void> {
    await this.exec('pg_ctl', ['reload', '-D', this.dataDir, '-s']);
  }

  /** Asks a standby to leave recovery; with `wait: false` the caller watches for it (pg_ctl looks only every 100 ms). */
  async promote({ wait = true }: { wait?: boolean } = {}): Promise<void> {
    await this.exec('pg_ctl', ['promote', '-D', this.dataDir, ...(wait ? ['-w', '-t', '60'] : ['-W']), '-s']);
  }

  async controlData(): Promise<ControlData> {
    return parseControlData(await this.exec('pg_controldata', ['-D', this.dataDir]));
  }

  /**
   * Where the WAL this data directory holds ends, read from its files (wal-end.ts): for a standby
   * whose server cannot answer. Null when not one record can be read. `control`: what
   * controlData() said, when the caller has read it already.
   */
  async walEnd(control?: ControlData): Promise<string | null> {
    const walDir = join(this.dataDir, 'pg_wal');
    return readWalEnd(walDir, control ?? (await this.controlData()), readdirSync(walDir), (args) => lastLineOf(postgresBinary('pg_waldump'), args, this.toolOptions()));
  }

  /**
   * Has the logging collector close the server log and open it again by name: after the file
   * was renamed away, that starts a new one. A server that is not running has nothing open.
   */
  async reopenLog(): Promise<void> {
    if (this.postmasterPid() === undefined) return;
    await this.exec('pg_ctl', ['logrotate', '-D', this.dataDir, '-s']);
  }

  /** The last lines of the server log, to explain a failure. */
  logTail(lines = 20): string {
    try {
      return readFileSync(this.logFile, 'utf8').split('\n').slice(-lines - 1).join('\n');
    } catch {
      return '';
    }
  }

  /**
   * Runs a Postgres tool; `signal` kills it outright. What a killed pg_rewind or pg_basebackup
   * leaves is never used (markRebuild), and a server it started is killed by the next fence.
   */
  private async exec(tool: string, args: string[], env: Record<string, string> = {}, signal?: AbortSignal): Promise<string> {
    try {
      const { stdout } = await run(postgresBinary(tool), args, { ...this.toolOptions(env), ...(signal ? { signal, killSignal: 'SIGKILL' as const } : {}) });
      return stdout;
    } catch (error) {
      const failure = error as Error & { stderr?: string };
      throw new Error(`${tool} failed: ${(failure.stderr || failure.message).trim()}`);
    }
  }

  private toolOptions(env: Record<string, string> = {}) {
    return {
      ...asUser(this.options.osUser),
      cwd: this.options.instanceDir,
      env: serviceEnvironment({ ...env, LC_ALL: 'C', ...(this.options.osUser ? { HOME: this.options.instanceDir } : {}) }),
      maxBuffer: 16 * 1024 * 1024,
    };
  }

  private writeOwned(file: string, content: string, mode: number): void {
    writeFileSync(file, content, { mode });
    this.chown(file);
  }

  private chown(path: string): void {
    giveTo(this.options.osUser, path);
  }
}

/** pg_ctl passes -o through a shell: single-quote the value (an empty string stays an argument). */
function quoteServerOption(value: string): string {
  return `'${value.replaceAll("'", "'\\''")}'`;
}

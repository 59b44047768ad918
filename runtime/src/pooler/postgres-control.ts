/**
 * Controls one Postgres server with its own tools (initdb, pg_basebackup, pg_ctl), as the
 * unprivileged OS user when Polygres runs as root. Postgres is started detached from the
 * pooler, so a pooler crash or restart never takes the database down with it.
 */
import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { OsUser } from '../local/layout';
import { asUser } from '../local/os-user';
import { REPLICATION_USER, SUPERUSER } from '../local/secrets';
import { isAlive } from '../util/processes';
import { INCLUDE_LINE, type PostgresSettings, renderHba, renderPolygresConf } from './postgres-config';
import { postgresBinary } from './postgres-binaries';

const run = promisify(execFile);

export interface PostgresControlOptions {
  /** Directory owned by the OS user, holding `pgdata/`, the log and the passfile. */
  readonly instanceDir: string;
  readonly osUser?: OsUser;
  /** Networks allowed to connect with a password (pg_hba.conf). */
  readonly hbaNetworks: readonly string[];
}

export class PostgresControl {
  readonly dataDir: string;
  readonly logFile: string;
  /** .pgpass used by standbys to stream and by pg_basebackup/pg_rewind. */
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

  isStandby(): boolean {
    return existsSync(join(this.dataDir, 'standby.signal'));
  }

  /** Pid of the running postmaster, from postmaster.pid, or undefined when it is not running. */
  postmasterPid(): number | undefined {
    try {
      const pid = Number.parseInt(readFileSync(join(this.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0] ?? '', 10);
      return Number.isInteger(pid) && isAlive(pid) ? pid : undefined;
    } catch {
      return undefined;
    }
  }

  /** Creates the instance directory owned by the OS user and the replication passfile. */
  prepareInstanceDir(replicationPassword: string): void {
    mkdirSync(this.options.instanceDir, { recursive: true, mode: 0o700 });
    this.chown(this.options.instanceDir);
    this.writeOwned(this.passfile, `*:*:*:${REPLICATION_USER}:${replicationPassword}\n`, 0o600);
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
  }

  /** Copies the primary's data directory over streaming replication into an empty directory. */
  async baseBackup(from: { host: string; port: number }): Promise<void> {
    rmSync(this.dataDir, { recursive: true, force: true });
    try {
      await this.exec('pg_basebackup', [
        '-D', this.dataDir, '-h', from.host, '-p', String(from.port), '-U', REPLICATION_USER,
        '--no-password', '-X', 'stream', '-c', 'fast', '--no-sync',
      ], { PGPASSFILE: this.passfile });
    } catch (error) {
      rmSync(this.dataDir, { recursive: true, force: true });
      throw error;
    }
    // --no-sync keeps the copy fast; flush once here so a crash cannot leave a torn standby.
    await this.exec('initdb', ['--sync-only', '-D', this.dataDir]);
  }

  /** Writes polygres.conf, pg_hba.conf and the standby signal for the role this server has next. */
  configure(settings: Omit<PostgresSettings, 'upstream'>, upstream?: { host: string; port: number }): void {
    const confFile = join(this.dataDir, 'postgresql.conf');
    const conf = readFileSync(confFile, 'utf8');
    if (!conf.includes(INCLUDE_LINE)) this.writeOwned(confFile, `${conf}\n${INCLUDE_LINE}\n`, 0o600);
    const full: PostgresSettings = upstream ? { ...settings, upstream: { ...upstream, passfile: this.passfile } } : settings;
    this.writeOwned(join(this.dataDir, 'polygres.conf'), renderPolygresConf(full), 0o600);
    this.writeOwned(join(this.dataDir, 'pg_hba.conf'), renderHba(this.options.hbaNetworks), 0o600);
    const signal = join(this.dataDir, 'standby.signal');
    if (upstream) this.writeOwned(signal, '', 0o600);
    else rmSync(signal, { force: true });
  }

  /** Starts the server and waits until it accepts connections (a standby: until consistent). */
  async start(): Promise<void> {
    if (this.postmasterPid() !== undefined) return;
    await this.exec('pg_ctl', ['start', '-D', this.dataDir, '-l', this.logFile, '-w', '-t', '120', '-s']);
  }

  /** Stops the server; `fast` rolls back open transactions, `immediate` skips the checkpoint. */
  async stop(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    if (this.postmasterPid() === undefined) return;
    await this.exec('pg_ctl', ['stop', '-D', this.dataDir, '-m', mode, '-w', '-t', '60', '-s']);
  }

  /** The last lines of the server log, to explain a failure. */
  logTail(lines = 20): string {
    try {
      return readFileSync(this.logFile, 'utf8').split('\n').slice(-lines - 1).join('\n');
    } catch {
      return '';
    }
  }

  private async exec(tool: string, args: string[], env: Record<string, string> = {}): Promise<void> {
    try {
      await run(postgresBinary(tool), args, {
        ...asUser(this.options.osUser),
        cwd: this.options.instanceDir,
        env: { ...process.env, ...env, LC_ALL: 'C', ...(this.options.osUser ? { HOME: this.options.instanceDir } : {}) },
        maxBuffer: 16 * 1024 * 1024,
      });
    } catch (error) {
      const failure = error as Error & { stderr?: string };
      throw new Error(`${tool} failed: ${(failure.stderr || failure.message).trim()}`);
    }
  }

  private writeOwned(file: string, content: string, mode: number): void {
    writeFileSync(file, content, { mode });
    this.chown(file);
  }

  private chown(path: string): void {
    const user = this.options.osUser;
    if (user) chownSync(path, user.uid, user.gid);
  }
}

/**
 * Runs pgBackRest for one cluster's stanza, as the Postgres OS user (it reads the data
 * directories and is what archive_command runs as). Results come back as pgBackRest's own
 * JSON where it has one.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { sleep } from '../util/net';
import { type OsUser, asUser } from '../util/os-account';
import { serviceEnvironment } from '../util/service-environment';

const run = promisify(execFile);

export type BackupType = 'full' | 'diff' | 'incr';

/** One backup as `pgbackrest info --output=json` describes it (the fields we show). */
export interface BackupRecord {
  readonly label: string;
  readonly type: BackupType;
  readonly start: string;
  readonly stop: string;
  readonly sizeBytes: number;
  readonly repoSizeBytes: number;
  readonly walStart: string | null;
  readonly walStop: string | null;
}

/** pgBackRest's LockAcquireError: another backup (or expire) of the stanza is running. */
const LOCK_HELD = /\[050\]|unable to acquire lock/;

/** The status `pgbackrest info` gives a stanza that was never created. */
export const MISSING_STANZA = 'missing stanza path';

export interface StanzaInfo {
  readonly status: string;
  readonly backups: readonly BackupRecord[];
  /** The archived WAL range of the current database. */
  readonly walMin: string | null;
  readonly walMax: string | null;
}

/** Where a point-in-time restore stops: a time, an LSN, a named restore point, or the end of the archive. */
export type RestoreTarget = { readonly time: string } | { readonly lsn: string } | { readonly name: string } | { readonly latest: true };

export class PgBackRest {
  constructor(private readonly configFile: string, private readonly stanza: string, private readonly osUser: OsUser | undefined) {}

  /** Creates the stanza; safe to repeat (an existing, matching stanza is left as it is). */
  async stanzaCreate(): Promise<void> {
    await this.exec(['stanza-create'], 300_000);
  }

  async backup(type: BackupType): Promise<BackupRecord> {
    // The first backup may come before the primary's pooler has created the stanza: wait for
    // it (creating it here too would race for pgBackRest's lock), and create it only if it
    // never comes.
    for (let waited = 0; waited < 60 && (await this.info()).status === MISSING_STANZA; waited++) await sleep(1_000);
    if ((await this.info()).status === MISSING_STANZA) await this.stanzaCreate();
    // One backup at a time per stanza: pgBackRest refuses a second while the first holds its
    // lock (the first full backup after up, a scheduled one). This one waits its turn.
    for (;;) {
      try {
        await this.exec(['backup', `--type=${type}`], 24 * 3_600_000);
        break;
      } catch (error) {
        if (!LOCK_HELD.test((error as Error).message)) throw error;
        await sleep(2_000);
      }
    }
    const info = await this.info();
    const latest = info.backups.at(-1);
    if (!latest) throw new Error('pgBackRest reported success but lists no backup');
    return latest;
  }

  async info(): Promise<StanzaInfo> {
    const stdout = await this.exec(['info', '--output=json'], 60_000);
    const [stanza] = JSON.parse(stdout) as RawInfo[];
    const archive = stanza?.archive?.at(-1);
    return {
      status: stanza?.status?.message ?? 'unknown',
      backups: (stanza?.backup ?? []).map(toRecord),
      walMin: archive?.min ?? null,
      walMax: archive?.max ?? null,
    };
  }

  /**
   * Restores the latest backup into an empty `dataDir` as a standby (it will fetch the WAL it
   * needs from the archive, then stream). Throws when there is no backup to restore.
   */
  async restoreStandby(dataDir: string, signal?: AbortSignal): Promise<void> {
    await this.exec(['restore', '--type=standby', `--pg1-path=${dataDir}`], 24 * 3_600_000, signal);
  }

  /**
   * Restores into an empty `dataDir` for a new cluster: recovery replays archived WAL up to
   * `target` (the end of the archive when absent), then promotes. Archiving stays off in the
   * restored server, so it never pushes into this stanza; `paths` keep pgBackRest's lock, spool
   * and log files, and `restoreCommand` is how the server fetches WAL.
   */
  async restoreToTarget(dataDir: string, target: RestoreTarget, paths: { lockPath: string; spoolPath: string; logPath: string }, restoreCommand: string): Promise<void> {
    const recovery = 'time' in target ? ['--type=time', `--target=${target.time}`] : 'lsn' in target ? ['--type=lsn', `--target=${target.lsn}`] : 'name' in target ? ['--type=name', `--target=${target.name}`] : ['--type=default'];
    await this.exec([
      'restore', `--pg1-path=${dataDir}`, ...recovery, ...('latest' in target ? [] : ['--target-action=promote']),
      '--archive-mode=off', `--recovery-option=restore_command=${restoreCommand}`,
      `--lock-path=${paths.lockPath}`, `--spool-path=${paths.spoolPath}`, `--log-path=${paths.logPath}`,
    ], 24 * 3_600_000);
  }

  /** `pgbackrest verify`: checks every file of the repository against its checksum. */
  async verify(): Promise<string> {
    return this.exec(['verify', '--output=text', '--verbose'], 24 * 3_600_000);
  }

  /**
   * How far the running backup is (percent of bytes copied), or null when none runs. Only the
   * text form of `info` carries it in this pgBackRest version.
   */
  async progress(): Promise<number | null> {
    return backupProgressOf(await this.exec(['info'], 60_000));
  }

  private async exec(args: string[], timeoutMs: number, signal?: AbortSignal): Promise<string> {
    try {
      const { stdout } = await run('pgbackrest', [`--config=${this.configFile}`, `--stanza=${this.stanza}`, ...args], {
        ...asUser(this.osUser),
        timeout: timeoutMs,
        ...(signal ? { signal } : {}),
        maxBuffer: 64 * 1024 * 1024,
        env: serviceEnvironment(this.osUser ? { HOME: '/tmp' } : {}),
      });
      return stdout;
    } catch (error) {
      const failure = error as Error & { stderr?: string; stdout?: string };
      throw new Error(`pgbackrest ${args[0]} failed: ${(failure.stderr || failure.stdout || failure.message).trim()}`);
    }
  }
}

/** The percentage in `status: ok (backup/expire running - 6.41% complete)`, or null. */
export function backupProgressOf(infoText: string): number | null {
  const match = /backup\/expire running - ([\d.]+)% complete/.exec(infoText);
  return match ? Number(match[1]) : null;
}

interface RawInfo {
  status?: { message?: string };
  archive?: { min?: string; max?: string }[];
  backup?: {
    label: string;
    type: BackupType;
    timestamp: { start: number; stop: number };
    info: { size: number; repository: { delta: number } };
    archive: { start?: string; stop?: string };
  }[];
}

function toRecord(raw: NonNullable<RawInfo['backup']>[number]): BackupRecord {
  return {
    label: raw.label,
    type: raw.type,
    start: new Date(raw.timestamp.start * 1000).toISOString(),
    stop: new Date(raw.timestamp.stop * 1000).toISOString(),
    sizeBytes: raw.info.size,
    repoSizeBytes: raw.info.repository.delta,
    walStart: raw.archive.start ?? null,
    walStop: raw.archive.stop ?? null,
  };
}

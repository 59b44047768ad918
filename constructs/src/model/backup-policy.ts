import { BackupRepository } from './backup-repository';
import { BackupSchedule } from './backup-schedule';

/** How many backups pgBackRest keeps. */
export interface BackupRetention {
  /**
   * Full backups to keep (older ones and the WAL they need are expired).
   * @default 2
   */
  readonly fullBackups?: number;
  /**
   * Differential backups to keep.
   * @default kept until their full backup expires
   */
  readonly diffBackups?: number;
}

/** Compression of backups and archived WAL. */
export enum BackupCompression {
  /** Zstandard (fast, good ratio). */
  ZSTD = 'zst',
  /** gzip. */
  GZIP = 'gz',
  /** LZ4 (fastest). */
  LZ4 = 'lz4',
  /** bzip2. */
  BZIP2 = 'bz2',
  /** No compression. */
  NONE = 'none',
}

/** Props of `BackupPolicy.pgBackRest`. */
export interface PgBackRestBackupProps {
  /** Where backups and archived WAL go. */
  readonly repository: BackupRepository;
  /**
   * Further repositories (pgBackRest supports four in all), e.g. a second region.
   * @default none
   */
  readonly additionalRepositories?: BackupRepository[];
  /**
   * When backups are taken.
   * @default a full backup every Sunday at 01:00 (`0 1 * * 0`)
   */
  readonly schedule?: BackupSchedule;
  /**
   * How many backups to keep.
   * @default two full backups
   */
  readonly retention?: BackupRetention;
  /**
   * Encrypt the repository (aes-256-cbc) with a generated passphrase kept in a Secret
   * (Kubernetes) or beside the cluster's other secrets (local).
   * @default false
   */
  readonly encrypted?: boolean;
  /**
   * Compression type.
   * @default BackupCompression.ZSTD
   */
  readonly compression?: BackupCompression;
  /**
   * Archive WAL continuously (needed for point-in-time restore and replicas from backup).
   * @default true
   */
  readonly archiveWal?: boolean;
}

/**
 * Backups of a cluster. Today one kind exists: pgBackRest, run beside every Postgres.
 *
 * @example
 * BackupPolicy.pgBackRest({
 *   repository: BackupRepository.s3({ bucket: 'orders-backups', region: 'us-east-1', credentialsSecret: 'orders-s3' }),
 *   schedule: BackupSchedule.daily({ hour: 1 }),
 *   retention: { fullBackups: 7 },
 * })
 */
export class BackupPolicy {
  /** Backups with pgBackRest. */
  public static pgBackRest(props: PgBackRestBackupProps): BackupPolicy {
    return new BackupPolicy(props);
  }

  /** Every repository, the first one first. */
  public readonly repositories: BackupRepository[];
  /** The backup schedule. */
  public readonly schedule: BackupSchedule;
  /** Full backups kept. */
  public readonly fullBackups: number;
  /** Differential backups kept, if limited. */
  public readonly diffBackups?: number;
  /** Whether the repository is encrypted. */
  public readonly encrypted: boolean;
  /** Compression type. */
  public readonly compression: BackupCompression;
  /** Whether WAL is archived. */
  public readonly archiveWal: boolean;

  private constructor(props: PgBackRestBackupProps) {
    this.repositories = [props.repository, ...(props.additionalRepositories ?? [])];
    this.schedule = props.schedule ?? BackupSchedule.cron('0 1 * * 0');
    this.fullBackups = props.retention?.fullBackups ?? 2;
    this.diffBackups = props.retention?.diffBackups;
    this.encrypted = props.encrypted ?? false;
    this.compression = props.compression ?? BackupCompression.ZSTD;
    this.archiveWal = props.archiveWal ?? true;
  }
}

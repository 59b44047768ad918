/** Props of `BackupRepository.s3`. */
export interface S3BackupRepositoryProps {
  /** Bucket name. */
  readonly bucket: string;
  /** Bucket region, e.g. `us-east-1`. */
  readonly region: string;
  /**
   * Name of the secret holding the access key: on Kubernetes an existing Secret with the keys
   * `key` and `keySecret`; on the local target the variable `POLYGRES_SECRET_<NAME>` holding
   * `{"key": ..., "keySecret": ...}`. The values never appear in the ClusterSpec. Leave it out
   * to use the identity of the pod or machine instead (see `keyType`).
   * @default none: the pod's or machine's identity
   */
  readonly credentialsSecret?: string;
  /**
   * Where pgBackRest gets its credentials. `WEB_ID` on EKS with IRSA: annotate the cluster's
   * service account with `Target.kubernetes({ serviceAccountAnnotations: { 'eks.amazonaws.com/role-arn': ... } })`.
   * @default S3KeyType.SHARED with a credentialsSecret, else S3KeyType.AUTO
   */
  readonly keyType?: S3KeyType;
  /**
   * S3 endpoint.
   * @default 's3.amazonaws.com'
   */
  readonly endpoint?: string;
  /**
   * Path of the repository inside the bucket; starts with `/`.
   * @default '/polygres'
   */
  readonly path?: string;
  /**
   * Use path-style URLs (`https://endpoint/bucket`) instead of host-style.
   * @default false
   */
  readonly pathStyle?: boolean;
  /**
   * Verify the endpoint's TLS certificate.
   * @default true
   */
  readonly verifyTls?: boolean;
}

/** Where pgBackRest gets the credentials of an S3 repository (its `repo-s3-key-type`). */
export enum S3KeyType {
  /** An access key and secret key from `credentialsSecret`. */
  SHARED = 'shared',
  /** Temporary credentials from the instance metadata service: an EC2 instance profile. */
  AUTO = 'auto',
  /**
   * Temporary credentials for the role in `AWS_ROLE_ARN`, assumed with the token in
   * `AWS_WEB_IDENTITY_TOKEN_FILE`: what IRSA gives a pod whose service account names a role.
   */
  WEB_ID = 'web-id',
}

/**
 * The key type an S3 repository runs with: the one it names, else SHARED with a secret and AUTO
 * without (runtime/src/spec/schema.ts s3KeyType).
 */
export function s3KeyTypeOf(props: S3BackupRepositoryProps): S3KeyType {
  return props.keyType ?? (props.credentialsSecret ? S3KeyType.SHARED : S3KeyType.AUTO);
}

/** The kind of place backups are stored. */
export enum BackupRepositoryType {
  /** A directory: local target and tests. */
  POSIX = 'posix',
  /** An S3 bucket (or an S3-compatible store). */
  S3 = 's3',
}

/**
 * Where pgBackRest keeps backups and archived WAL.
 *
 * @example
 * BackupRepository.s3({ bucket: 'orders-backups', region: 'us-east-1', credentialsSecret: 'orders-s3' })
 * // or, on EKS with IRSA (the role named on the service account):
 * BackupRepository.s3({ bucket: 'orders-backups', region: 'us-east-1', keyType: S3KeyType.WEB_ID })
 */
export class BackupRepository {
  /** An S3 bucket. */
  public static s3(props: S3BackupRepositoryProps): BackupRepository {
    return new BackupRepository(BackupRepositoryType.S3, undefined, props);
  }

  /** A directory every instance can reach (the local target's instances share the machine). */
  public static posix(path: string): BackupRepository {
    return new BackupRepository(BackupRepositoryType.POSIX, path, undefined);
  }

  /** The kind of repository. */
  public readonly type: BackupRepositoryType;
  /** Directory of a posix repository. */
  public readonly path?: string;
  /** Settings of an S3 repository. */
  public readonly s3Props?: S3BackupRepositoryProps;

  private constructor(type: BackupRepositoryType, path: string | undefined, s3Props: S3BackupRepositoryProps | undefined) {
    this.type = type;
    this.path = path;
    this.s3Props = s3Props;
  }
}

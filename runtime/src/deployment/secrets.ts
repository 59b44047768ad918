import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

/** Credentials generated for a local cluster; the file is readable by its owner only. */
export interface ClusterSecrets {
  /** Password of the `postgres` superuser, printed in the connection string. */
  readonly superuserPassword: string;
  /** Password of the `replicator` role standbys stream with. */
  readonly replicationPassword: string;
  /** Bearer token of the pooler and orchestrator admin APIs. */
  readonly adminToken: string;
}

export const SUPERUSER = 'postgres';
export const REPLICATION_USER = 'replicator';

const token = () => randomBytes(18).toString('base64url');

/** Reads the secrets file, creating it (mode 0600) on first use. */
export function ensureSecrets(file: string): ClusterSecrets {
  if (existsSync(file)) return readSecrets(file);
  const secrets: ClusterSecrets = { superuserPassword: token(), replicationPassword: token(), adminToken: token() };
  writeFileSync(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  return secrets;
}

export function readSecrets(file: string): ClusterSecrets {
  return JSON.parse(readFileSync(file, 'utf8')) as ClusterSecrets;
}

/**
 * What gateways and orchestrators need: the admin token alone. On Kubernetes their pods mount a
 * Secret that holds nothing else, so a compromised gateway does not hold the database's keys.
 */
export type ServiceSecrets = Pick<ClusterSecrets, 'adminToken'>;

export function readServiceSecrets(file: string): ServiceSecrets {
  const { adminToken } = JSON.parse(readFileSync(file, 'utf8')) as Partial<ClusterSecrets>;
  if (typeof adminToken !== 'string' || adminToken === '') throw new Error(`${file} has no adminToken`);
  return { adminToken };
}

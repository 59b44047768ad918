/**
 * The superuser's and the replication role's passwords follow the cluster's secrets, also when
 * they are rotated under a running cluster. On Kubernetes a rotation is `terraform apply
 * -replace` of the random_password: the kubelet rewrites the mounted secrets.json in every
 * instance pod, each pooler reads it again (SECRETS_CHECK_MS), writes the new passwords into the
 * passfile its Postgres streams, rewinds and clones with, and the serving primary sets the roles'
 * passwords — as SCRAM verifiers computed here, so no password reaches a log or pg_stat_activity.
 * Standbys receive the change by replication. A standby whose stream breaks before the primary
 * has the new password retries until it has (seconds: its pod's copy and the primary's are
 * rewritten by the same apply).
 *
 * The agent's own sessions use the private socket and need no password, so nothing of the
 * cluster's own control depends on which password the roles hold at any moment.
 */
import { timingSafeEqual } from 'node:crypto';
import { Client } from 'pg';
import { type ClusterSecrets, readSecrets, REPLICATION_USER, SUPERUSER } from '../deployment/secrets';
import { formatScramVerifier, makeScramVerifier, parseScramVerifier } from '../protocol/scram-server';
import type { Logger } from '../util/log';

/** How often the secrets file is read again: the kubelet itself takes up to a minute or so. */
export const SECRETS_CHECK_MS = 5_000;

export interface RolePasswordsOptions {
  readonly secretsFile: string;
  /** The secrets the process started with. */
  readonly initial: ClusterSecrets;
  /** This instance's Postgres, through its private socket (no password needed). */
  readonly socket: { readonly socketDir: string; readonly port: number };
  /** The agent takes rotated secrets: its passfile and its connections to other instances. */
  readonly useSecrets: (secrets: ClusterSecrets) => void;
  readonly log: Logger;
}

export class RolePasswords {
  private secrets: ClusterSecrets;
  /** The secrets the roles were last checked against while this node was the primary. */
  private aligned: ClusterSecrets | undefined;
  private aligning = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: RolePasswordsOptions) {
    this.secrets = options.initial;
  }

  /** Reads the secrets file every SECRETS_CHECK_MS from now on. */
  watch(): void {
    this.timer = setInterval(() => this.readAgain(), SECRETS_CHECK_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** The secrets file as it is now: a rotated password is taken at once. */
  readAgain(): void {
    let next: ClusterSecrets;
    try {
      next = readSecrets(this.options.secretsFile);
    } catch {
      return; // being rewritten: the next look sees it whole
    }
    if (next.superuserPassword === this.secrets.superuserPassword && next.replicationPassword === this.secrets.replicationPassword) return;
    if (!next.superuserPassword || !next.replicationPassword) return;
    this.secrets = next;
    this.options.useSecrets(next);
    this.options.log.info('the database passwords were rotated: the passfile has the new ones; the primary sets them on the roles');
  }

  /** Called on each convergence while this node is the serving primary: the roles get the current passwords. */
  onServingPrimary(): void {
    if (this.aligning || this.aligned === this.secrets) return;
    const secrets = this.secrets;
    this.aligning = true;
    this.align(secrets)
      .then((changed) => {
        this.aligned = secrets;
        if (changed.length > 0) this.options.log.info({ roles: changed }, 'role passwords set to the rotated secrets');
      })
      .catch((error: unknown) => this.options.log.warn({ err: (error as Error).message }, 'could not set the role passwords; will retry'))
      .finally(() => (this.aligning = false));
  }

  private async align(secrets: ClusterSecrets): Promise<string[]> {
    const client = new Client({ host: this.options.socket.socketDir, port: this.options.socket.port, user: SUPERUSER, database: 'postgres', application_name: 'polygres-agent', connectionTimeoutMillis: 5_000 });
    client.on('error', () => undefined);
    await client.connect();
    try {
      return await setRolePasswords(client, new Map([[SUPERUSER, secrets.superuserPassword], [REPLICATION_USER, secrets.replicationPassword]]));
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}

/** Sets each role's password where its stored verifier does not match; returns the roles changed. */
export async function setRolePasswords(client: Client, wanted: ReadonlyMap<string, string>): Promise<string[]> {
  const { rows } = await client.query<{ rolname: string; rolpassword: string | null }>('SELECT rolname, rolpassword FROM pg_authid WHERE rolname = ANY($1)', [[...wanted.keys()]]);
  const changed: string[] = [];
  for (const row of rows) {
    const password = wanted.get(row.rolname)!;
    if (verifies(row.rolpassword, password)) continue;
    // A verifier is base64 and '$', ':' only: nothing to escape in the literal.
    await client.query(`ALTER ROLE ${client.escapeIdentifier(row.rolname)} PASSWORD '${formatScramVerifier(makeScramVerifier(password))}'`);
    changed.push(row.rolname);
  }
  return changed;
}

/** True when `stored` (pg_authid.rolpassword) is a SCRAM verifier of `password`. */
export function verifies(stored: string | null, password: string): boolean {
  const verifier = parseScramVerifier(stored);
  if (!verifier) return false;
  const made = makeScramVerifier(password, verifier.iterations, verifier.salt);
  return made.storedKey.length === verifier.storedKey.length && timingSafeEqual(made.storedKey, verifier.storedKey) && timingSafeEqual(made.serverKey, verifier.serverKey);
}

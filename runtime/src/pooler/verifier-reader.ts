/**
 * Reads role password verifiers from pg_authid over the trusted socket, for the gateways'
 * logins and the pooler's own. One connection is kept for it and reads are taken in turn:
 * every login reads afresh (a changed password counts at once), and a login storm costs one
 * query each, not a Postgres backend started and stopped each.
 *
 * The replication role gets no verifier: it exists for streaming and pg_basebackup, which
 * reach Postgres directly, and never opens an SQL session through a gateway or pooler.
 */
import { REPLICATION_USER, SUPERUSER } from '../deployment/secrets';
import { ServerConnection } from '../session/server-connection';
import type { ServerTarget } from '../link/server-target';

export class VerifierReader {
  private connection: ServerConnection | undefined;
  private turn: Promise<unknown> = Promise.resolve();

  constructor(private readonly target: ServerTarget) {}

  /** The stored verifier of `user` (undefined: no such role, no login, or the replication role). */
  readonly lookup = (user: string): Promise<string | null | undefined> => {
    const read = this.turn.then(() => this.read(user));
    this.turn = read.catch(() => undefined);
    return read;
  };

  close(): void {
    this.connection?.close();
    this.connection = undefined;
  }

  private async read(user: string): Promise<string | null | undefined> {
    if (user === REPLICATION_USER) return undefined;
    const connection = await this.open();
    const literal = `'${user.replaceAll("'", "''")}'`;
    try {
      const rows = await connection.query(`SELECT rolpassword FROM pg_catalog.pg_authid WHERE rolname = ${literal} AND rolcanlogin`);
      return rows[0]?.[0];
    } catch (error) {
      // A restarted or fenced server: the next read opens a new connection.
      connection.destroy();
      this.connection = undefined;
      throw error;
    }
  }

  private async open(): Promise<ServerConnection> {
    if (this.connection && !this.connection.closed && !this.connection.broken) return this.connection;
    this.connection = await ServerConnection.open(this.target, SUPERUSER, 'postgres', 0);
    return this.connection;
  }
}

/**
 * When a session must move to a backend no other session has used. Postgres accepts
 * `SET plpgsql.anything` as a placeholder in a session that has not loaded plpgsql, and
 * refuses it once the library is loaded and has reserved its prefix; a backend the pool shares
 * has loaded whatever its earlier sessions used. So a lone SET of a dotted name, outside a
 * transaction, that such a backend refuses as an invalid name (42602) runs again on a backend
 * no session has used, which answers as the session's own would; the first answer is
 * swallowed, and the session keeps the new backend (its placeholder could not be replayed on a
 * shared one). A refusal from a backend only this session has used is its own answer.
 */
import { BackendCode } from '../protocol/codes';
import { SqlState } from '../protocol/constants';
import { decodeBackend } from '../protocol/decode-backend';
import type { StatementInfo } from '../sql/effects';
import type { BackendConnection } from './backend';

export class FreshBackendRetry {
  /** Connections no other session has used, before or since this one first did. */
  private readonly own = new WeakSet<BackendConnection>();
  /** The session's next connection must be one no session has used. */
  needed = false;

  /** The session takes `connection`, which `previous` used last (undefined: nobody yet). */
  taken(connection: BackendConnection, previous: object | undefined, session: object): void {
    if (previous === undefined) this.own.add(connection);
    else if (previous !== session) this.own.delete(connection);
  }

  /** Is this a lone SET of a dotted name (the only kind of statement ever retried)? Cheap: asked of every simple Query first. */
  static isDottedSet(statements: StatementInfo['statements']): boolean {
    if (statements.length !== 1) return false;
    const effects = statements[0]!;
    return effects.length === 1 && effects[0]!.kind === 'set' && effects[0]!.name.includes('.');
  }

  /** May the server's refusal of such a SET, sent now on `server`, be retried elsewhere? */
  mayRetry(server: BackendConnection, session: { readonly idle: boolean; readonly pinned: boolean }): boolean {
    // A pinned session keeps its backend whatever it answers (and could not give it back to move).
    return session.idle && !session.pinned && !this.own.has(server);
  }

  /** Is this ErrorResponse the refusal of an invalid name? */
  static refusesName(buffer: Buffer, bodyStart: number, end: number): boolean {
    const fields = (decodeBackend(BackendCode.ErrorResponse, buffer, bodyStart, end) as { fields: Record<string, string> }).fields;
    return fields.C === SqlState.invalidName;
  }
}

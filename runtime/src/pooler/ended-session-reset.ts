/**
 * A session that ended leaves its last connection with whatever it did there inside functions
 * — the pooler cannot see that (handoff-reset.ts): an advisory lock other sessions wait for,
 * a LISTEN, a temp table. On a backend of its own all of it would end with the session; in a
 * pool it would last until another session happened to take the connection, however long it
 * sat idle. So the pool resets an idle connection as soon as the session that used it last
 * ends, and marks it RESET_FOR_NEXT_SESSION: the next session to take it needs no reset of
 * its own. A hand-off costs no more cycles than before, and the reset is no longer in the next
 * session's way (with `pgbench -C`, every transaction's).
 */
import { BackendCode } from '../protocol/codes';
import { RESET_FOR_NEXT_SESSION, handOffReset } from '../session/handoff-reset';
import type { ServerConnection } from '../session/server-connection';

export class EndedSessionResets {
  /** Connections being reset now. */
  count = 0;

  /** `back` gets each connection once reset (`reset`; marked broken if the reset failed), or lost on the way (not `reset`). */
  constructor(private readonly back: (connection: ServerConnection, reset: boolean) => void) {}

  /** Resets `connection`, out of the idle list and nobody's, now. */
  start(connection: ServerConnection): void {
    this.count += 1;
    const reset = handOffReset(connection);
    connection.lastOwner = RESET_FOR_NEXT_SESSION;
    connection.onClosed(() => this.end(connection, false));
    connection.attach((code) => {
      if (code === BackendCode.ErrorResponse) connection.broken = true;
      if (code !== BackendCode.ReadyForQuery) return;
      connection.attach(() => undefined);
      connection.onClosed(() => undefined);
      this.end(connection, true);
    });
    // The list that keeps the pooler's statements is one Query too: one ReadyForQuery either way.
    connection.output.write(reset.query);
  }

  private end(connection: ServerConnection, reset: boolean): void {
    this.count -= 1;
    this.back(connection, reset);
  }
}

/**
 * A session's half of handing a server connection over: what goes ahead of its statement on a
 * connection it has just been given (the hand-off reset, the replay of its settings, a BEGIN
 * it answered itself), and the cancel that must wait until what runs there is its own
 * statement. ClientSession decides when a connection is borrowed and given back.
 */
import { SqlState } from '../protocol/constants';
import type { BackendConnection } from './backend';
import { FreshBackendRetry } from './fresh-backend';
import { HandOffQuery } from './handoff-query';
import { type HandOffReset, handOffReset, leftClean } from './handoff-reset';
import { StatementExchange } from './statement-exchange';

export abstract class ConnectionPreparation extends StatementExchange {
  /**
   * A cancel asked while the session's statement was not yet the one running (behind another
   * session's, or behind the reset and replay that prepare the connection): sent once it is,
   * so a cancel never interrupts a reset (see prepareConnection).
   */
  protected cancelPending = false;
  /** Reset and replay queries of this session still running ahead of its statement. */
  protected preparing = 0;
  private readonly handOff = new HandOffQuery();
  /** A SET a shared backend's library refused moves the session to a fresh backend (fresh-backend.ts). */
  protected readonly fresh = new FreshBackendRetry();

  /** The session's statement waits behind another session's on its connection (pipelined). */
  protected abstract get behind(): boolean;

  /** Cancels the query this session is running, if any (a CancelRequest with its key came in). */
  cancel(): void {
    if (!this.server) return;
    this.cancelPending = true;
    this.sendPendingCancel();
  }

  /** Sends a pending cancel once what runs on the connection is the session's own statement. */
  protected sendPendingCancel(): void {
    const server = this.server;
    if (!this.cancelPending || !server || this.behind || this.preparing > 0) return;
    this.cancelPending = false;
    server.pipelinableSince = 0; // nothing is pipelined behind a statement being cancelled
    this.backend?.cancel(server);
  }

  /**
   * Brings a connection to this session, in the write that carries the session's statement: a
   * connection another session used last is reset (handoff-reset.ts), and this session's
   * settings are replayed where they differ from the connection's — one Query for both, so the
   * server runs one more cycle per hand-off, not two.
   */
  protected prepareConnection(connection: BackendConnection): void {
    let reset: HandOffReset | undefined;
    if (connection.lastOwner !== this) {
      // Another session used it since: whatever unnamed statement it holds is not this one's.
      if (this.unnamedOn === connection) this.unnamedOn = undefined;
      const previous = connection.lastOwner;
      this.fresh.taken(connection, previous, this);
      connection.lastOwner = this;
      if (!leftClean(previous)) reset = handOffReset(connection);
    }
    const settingsKey = this.state.settingsKey;
    const snapshot = connection.settingsKey === settingsKey ? undefined : this.handOff.snapshot(settingsKey, this.state.committedSettings);
    const replay = snapshot ? this.handOff.replay(connection.settings, snapshot) : '';
    if (!replay) {
      if (reset) this.prepareStep(connection, reset.query, 'could not reset a server connection before handing it to this session');
      return;
    }
    const { settings } = snapshot!;
    const queries = this.handOff.resetAndReplay(reset, replay);
    const failure = reset ? "could not reset a server connection and restore this session's settings on it" : "could not restore this session's settings on a server connection";
    // Each Query is a step of its own; the connection has the session's settings after the last.
    queries.forEach((query, i) =>
      this.prepareStep(connection, query, failure, i < queries.length - 1 ? undefined : () => {
        connection.settings = settings;
        connection.settingsKey = settingsKey;
      }),
    );
  }

  /**
   * One query that prepares the connection ahead of the session's statement; its answer is
   * the session's own to swallow. Should it fail (a cancel from elsewhere hit it), the
   * connection is in no known state: it is closed, and the session with it — the statement
   * sent behind it may have run, so the client must not be told it did not.
   */
  protected prepareStep(connection: BackendConnection, query: Buffer, failure: string, done?: () => void): void {
    this.preparing += 1;
    this.inject(query, 'ready', (failed) => {
      this.preparing -= 1;
      if (failed) {
        connection.broken = true;
        this.fail(SqlState.connectionFailure, `${failure}; the statement sent with it may have run — reconnect and check`);
        return;
      }
      done?.();
      this.sendPendingCancel();
    });
  }
}

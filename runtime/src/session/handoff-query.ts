/**
 * What a session sends ahead of its statement on a connection it takes over (see
 * ConnectionPreparation.prepareConnection): its settings' replay, after the reset when the connection
 * changes hands. A session hands connections off again and again with the same settings (its
 * startup's application_name, say), so the replay and the bytes are made once per change of
 * the session's settings, not at every hand-off.
 */
import { encodeFrontend } from '../protocol/encode-frontend';
import type { HandOffReset } from './handoff-reset';
import { settingsReplay } from './settings-replay';

const NO_SETTINGS: ReadonlyMap<string, string> = new Map();

export interface SettingsSnapshot {
  readonly key: string;
  /** The session's settings, shared by the connections that take them (nobody changes a connection's settings in place). */
  readonly settings: ReadonlyMap<string, string>;
  /** The replay onto a connection with no settings (one just reset). */
  readonly replayFromNone: string;
}

export class HandOffQuery {
  private lastSnapshot: SettingsSnapshot | undefined;
  /** The last replay from settings other than none (a connection's startup, say), by identity: a connection's settings are never changed in place. */
  private lastReplay: { readonly from: ReadonlyMap<string, string>; readonly snapshot: SettingsSnapshot; readonly replay: string } | undefined;
  private lastQuery: { readonly reset: HandOffReset | undefined; readonly replay: string; readonly queries: readonly Buffer[] } | undefined;

  /** The snapshot of `settings` under `key` (the session's settings key). */
  snapshot(key: string, settings: ReadonlyMap<string, string>): SettingsSnapshot {
    const kept = this.lastSnapshot;
    if (kept?.key === key) return kept;
    const copy = new Map(settings);
    this.lastSnapshot = { key, settings: copy, replayFromNone: settingsReplay(NO_SETTINGS, copy) };
    return this.lastSnapshot;
  }

  /** The statements that take a connection's `current` settings to the snapshot's. */
  replay(current: ReadonlyMap<string, string>, snapshot: SettingsSnapshot): string {
    if (current.size === 0) return snapshot.replayFromNone;
    const kept = this.lastReplay;
    if (kept !== undefined && kept.from === current && kept.snapshot === snapshot) return kept.replay;
    const replay = settingsReplay(current, snapshot.settings);
    this.lastReplay = { from: current, snapshot, replay };
    return replay;
  }

  /**
   * The reset (if any) and the replay: one Query when the reset's statements may share it, else
   * the reset's own Query and then the replay's, to go out in one write.
   */
  resetAndReplay(reset: HandOffReset | undefined, replay: string): readonly Buffer[] {
    const kept = this.lastQuery;
    if (kept !== undefined && kept.reset === reset && kept.replay === replay) return kept.queries;
    const queries =
      reset === undefined ? [encodeFrontend({ type: 'query', sql: replay })]
      : reset.statements === undefined ? [reset.query, encodeFrontend({ type: 'query', sql: replay })]
      : [encodeFrontend({ type: 'query', sql: `${reset.statements}; ${replay}` })];
    this.lastQuery = { reset, replay, queries };
    return queries;
  }
}

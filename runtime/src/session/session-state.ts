/**
 * What a client session carries from one server connection to the next: its settings (the
 * SET statements that made them, replayed where they differ) and the reasons that pin it to
 * one connection. Effects are applied as the server confirms statements; settings made inside
 * a transaction count only once it commits.
 */
import { dateStyleChain } from '../sql/date-style';
import type { SessionEffect } from '../sql/effects';
import { isLanguagePlaceholder } from '../sql/language-settings';
import { settingsKeyOf } from './settings-key';
import { resetStatement } from './settings-replay';

export type PinReason = 'temp-object' | 'hold-cursor' | 'advisory-lock' | 'listen' | 'sql-prepare' | 'untracked-setting' | 'library-placeholder' | 'loaded-library';

interface Savepoint {
  readonly name: string;
  readonly settings: ReadonlyMap<string, string | null> | undefined;
  readonly resetAll: boolean;
  readonly startupResets: ReadonlySet<string> | undefined;
  /** How many releases (UNLISTEN, CLOSE, DEALLOCATE...) were pending. */
  readonly releases: number;
}

export class SessionState {
  /** Setting name -> the statement that sets it, as committed. */
  private settings = new Map<string, string>();
  private pendingSettings: Map<string, string | null> | undefined;
  private resetAllPending = false;
  private cachedKey: string | undefined;
  readonly holdCursors = new Set<string>();
  readonly channels = new Set<string>();
  readonly sqlPrepared = new Set<string>();
  private tempObjects = false;
  advisoryLocks = false;
  /** An advisory unlock committed: whether any lock remains must be asked of Postgres. */
  advisoryUnlockPending = false;
  private untracked: string | undefined;
  /**
   * The session holds a placeholder setting under the prefix of a library its backend has not
   * loaded (`SET plpgsql.anything`): a backend that has loaded it refuses the setting, and a
   * pooled backend has loaded whatever its earlier sessions used, so the session keeps its
   * own to the end (see also ClientSession.retriesElsewhere).
   */
  private placeholder = false;
  /** The session LOADed a library into its backend: only that backend has it, to the end. */
  private loadedLibrary = false;
  /** A DISCARD ALL / DEALLOCATE ALL committed: the server connection lost its prepared statements. */
  serverStatementsDropped = false;

  /**
   * The settings of the startup packet: what RESET, RESET ALL and DISCARD ALL return to, since
   * Postgres takes them as the session's defaults (a client's PGTZ or PGDATESTYLE, say).
   */
  private readonly startup: ReadonlyMap<string, string>;

  /**
   * Startup settings a committed RESET, RESET ALL or DISCARD ALL put back: on the server
   * connection they went to the server's defaults instead, so they must be replayed there.
   */
  private startupResets: Set<string> | undefined;
  private pendingStartupResets: Set<string> | undefined;

  constructor(startupSettings: ReadonlyMap<string, string> = new Map()) {
    this.startup = new Map(startupSettings);
    this.settings = new Map(startupSettings);
  }

  /** Why this session must keep its server connection, if anything. */
  pins(): PinReason[] {
    const reasons: PinReason[] = [];
    if (this.tempObjects) reasons.push('temp-object');
    if (this.holdCursors.size > 0) reasons.push('hold-cursor');
    if (this.advisoryLocks) reasons.push('advisory-lock');
    if (this.channels.size > 0) reasons.push('listen');
    if (this.sqlPrepared.size > 0) reasons.push('sql-prepare');
    if (this.untracked) reasons.push('untracked-setting');
    if (this.placeholder) reasons.push('library-placeholder');
    if (this.loadedLibrary) reasons.push('loaded-library');
    return reasons;
  }

  get pinned(): boolean {
    return this.tempObjects || this.holdCursors.size > 0 || this.advisoryLocks || this.channels.size > 0 || this.sqlPrepared.size > 0 || this.untracked !== undefined || this.placeholder || this.loadedLibrary;
  }

  /** The session's placeholder setting needs a backend without the library that reserves its prefix: it keeps the one it has. */
  pinForPlaceholder(): void {
    this.placeholder = true;
  }

  get committedSettings(): ReadonlyMap<string, string> {
    return this.settings;
  }

  /** The startup settings the server connection lost to its own defaults since last asked, if any. */
  takeStartupResets(): ReadonlySet<string> | undefined {
    const resets = this.startupResets;
    this.startupResets = undefined;
    return resets;
  }

  /** A stable key of the committed settings: connections with the same key need no replay. */
  get settingsKey(): string {
    this.cachedKey ??= settingsKeyOf(this.settings);
    return this.cachedKey;
  }

  /**
   * A statement completed. Pins take effect at once (holding a connection too long is safe);
   * settings and releases wait for the transaction to commit.
   */
  apply(effect: SessionEffect): void {
    switch (effect.kind) {
      case 'set':
        this.pending().set(effect.name, effect.name === 'datestyle' ? dateStyleChain(this.statementInForce(effect.name), effect.statement) : effect.statement);
        if (effect.name === 'session_authorization') this.pending().set('role', null);
        else if (isLanguagePlaceholder(effect.name)) this.placeholder = true;
        return;
      case 'reset':
        // A custom placeholder (`app.user`) stays defined, empty, on the backend that RESET it:
        // the RESET is kept, so a backend the session moves to defines it too and SHOW agrees.
        this.pending().set(effect.name, this.startup.get(effect.name) ?? (isCustomPlaceholder(effect.name) ? resetStatement(effect.name) : null));
        if (this.startup.has(effect.name)) (this.pendingStartupResets ??= new Set()).add(effect.name);
        // Postgres: a new session authorization is also the current role (SET ROLE is undone).
        if (effect.name === 'session_authorization') this.pending().set('role', null);
        return;
      case 'reset-all':
        this.resetAllPending = true;
        this.pendingSettings = new Map();
        if (this.startup.size > 0) this.pendingStartupResets = new Set(this.startup.keys());
        return;
      case 'savepoint':
        this.savepoints.push({
          name: effect.name,
          settings: this.pendingSettings && new Map(this.pendingSettings),
          resetAll: this.resetAllPending,
          startupResets: this.pendingStartupResets && new Set(this.pendingStartupResets),
          releases: this.releases.length,
        });
        return;
      case 'rollback-to-savepoint': {
        // Undoes what came after the savepoint (Postgres refuses an unknown name, and then
        // nothing here runs); the savepoint itself stays, later ones go.
        const index = this.savepointIndex(effect.name);
        if (index === -1) return;
        const savepoint = this.savepoints[index]!;
        this.savepoints.length = index + 1;
        this.pendingSettings = savepoint.settings && new Map(savepoint.settings);
        this.resetAllPending = savepoint.resetAll;
        this.pendingStartupResets = savepoint.startupResets && new Set(savepoint.startupResets);
        this.releases.length = savepoint.releases;
        return;
      }
      case 'release-savepoint': {
        // What came after it now belongs to the enclosing level; it and later savepoints go.
        const index = this.savepointIndex(effect.name);
        if (index !== -1) this.savepoints.length = index;
        return;
      }
      case 'temp-object':
        this.tempObjects = true;
        return;
      case 'hold-cursor':
        this.holdCursors.add(effect.name);
        return;
      case 'advisory-lock':
        this.advisoryLocks = true;
        return;
      case 'listen':
        this.channels.add(effect.channel);
        return;
      case 'sql-prepare':
        this.sqlPrepared.add(effect.name);
        return;
      case 'untracked':
        this.untracked = effect.reason;
        return;
      case 'load':
        this.loadedLibrary = true;
        return;
      default:
        this.releases.push(effect);
    }
  }

  private releases: SessionEffect[] = [];
  /** The open transaction's savepoints, oldest first, each with what was pending when it was made. */
  private savepoints: Savepoint[] = [];

  /** The transaction ended: keep (commit) or drop what it did to settings and releases. */
  endTransaction(committed: boolean): void {
    if (committed) {
      if (this.resetAllPending) this.settings = new Map(this.startup);
      if (this.pendingSettings) {
        for (const [name, statement] of this.pendingSettings) {
          if (statement === null) this.settings.delete(name);
          else this.settings.set(name, statement);
        }
      }
      for (const effect of this.releases) this.release(effect);
      if (this.pendingStartupResets) this.startupResets = new Set([...(this.startupResets ?? []), ...this.pendingStartupResets]);
      if (this.pendingSettings || this.resetAllPending) this.cachedKey = undefined;
    }
    this.pendingSettings = undefined;
    this.pendingStartupResets = undefined;
    this.resetAllPending = false;
    if (this.savepoints.length > 0) this.savepoints = [];
    // Most transactions release nothing: keep the empty array rather than allocate one each time.
    if (this.releases.length > 0) this.releases = [];
  }

  /** Postgres says no advisory lock is held any more. */
  advisoryLocksReleased(): void {
    this.advisoryLocks = false;
    this.advisoryUnlockPending = false;
  }

  /** The newest savepoint of that name (Postgres allows the same name twice), or -1. */
  private savepointIndex(name: string): number {
    for (let i = this.savepoints.length - 1; i >= 0; i--) if (this.savepoints[i]!.name === name) return i;
    return -1;
  }

  /** The statement that made a setting as it stands now, pending changes included; undefined: the server's default. */
  private statementInForce(name: string): string | undefined {
    if (this.pendingSettings?.has(name)) return this.pendingSettings.get(name) ?? undefined;
    return this.resetAllPending ? this.startup.get(name) : this.settings.get(name);
  }

  private pending(): Map<string, string | null> {
    this.pendingSettings ??= new Map();
    return this.pendingSettings;
  }

  private release(effect: SessionEffect): void {
    switch (effect.kind) {
      case 'unlisten':
        if (effect.channel === null) this.channels.clear();
        else this.channels.delete(effect.channel);
        return;
      case 'close-cursor':
        if (effect.name === null) this.holdCursors.clear();
        else this.holdCursors.delete(effect.name);
        return;
      case 'advisory-unlock':
        if (this.advisoryLocks) this.advisoryUnlockPending = true;
        return;
      case 'sql-deallocate':
        if (effect.name === null) {
          this.sqlPrepared.clear();
          this.serverStatementsDropped = true;
        } else this.sqlPrepared.delete(effect.name);
        return;
      case 'discard':
        if (effect.target === 'temp' || effect.target === 'all') this.tempObjects = false;
        if (effect.target === 'all') {
          // DISCARD ALL is RESET ALL, CLOSE ALL, UNLISTEN *, pg_advisory_unlock_all(), DEALLOCATE ALL...
          this.settings = new Map(this.startup);
          if (this.startup.size > 0) this.startupResets = new Set(this.startup.keys());
          this.cachedKey = undefined;
          this.holdCursors.clear();
          this.channels.clear();
          this.advisoryLocks = false;
          this.sqlPrepared.clear();
          this.untracked = undefined;
          this.serverStatementsDropped = true;
        }
        return;
      default:
        return;
    }
  }
}

/**
 * A dotted setting name other than a language's placeholder (which pins the session instead):
 * a custom placeholder, which Postgres keeps once made, or an extension's or language's own
 * setting, which a RESET on any backend leaves as it should be.
 */
function isCustomPlaceholder(name: string): boolean {
  return name.includes('.') && !isLanguagePlaceholder(name);
}

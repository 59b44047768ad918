/**
 * What a node agent does to its Postgres and with its peers, apart from deciding when: create
 * a primary, clone or restore a standby, rewind a former primary, cut replication for an
 * election, read where a standby is, and open the superuser sessions these need. The agent
 * (node-agent.ts) holds the terms and the rule and calls these one at a time.
 */
import { verifiedTlsOptions } from '../postgres/verified-tls';
import { Client } from 'pg';
import type { PgBackRest } from '../backup/pgbackrest-runner';
import { maxLsn } from '../consensus/lsn';
import { instanceArchiveCommands } from '../deployment/backup-files';
import { type ClusterLayout, type InstanceLayout, findInstance } from '../deployment/layout';
import { type ClusterSecrets, REPLICATION_USER, SUPERUSER } from '../deployment/secrets';
import type { FollowRequest } from './consensus-messages';
import { type PendingRestart, readPendingRestart } from './pending-restart';
import type { InstancePhase } from '../postgres/instance-status';
import type { PostgresControl } from '../postgres/postgres-control';
import type { ClusterSpec } from '../spec/schema';
import type { Logger } from '../util/log';
import { sleep, untilAborted } from '../util/net';

export interface InstanceOperationsOptions {
  readonly layout: ClusterLayout;
  readonly spec: ClusterSpec;
  readonly secrets: ClusterSecrets;
  readonly log: Logger;
  /** pgBackRest for this cluster, when the spec has backups: new standbys restore from it. */
  readonly backups?: PgBackRest;
}

/** Longest a CHECKPOINT on the new primary may take before a rewind gives up on it (then clones). */
const CHECKPOINT_TIMEOUT_MS = 300_000;

export class InstanceOperations {
  /** The rewind or clone running now, which interruptRebuild stops. */
  private rebuilding: AbortController | undefined;
  /** The last rejoin's rebuild that finished, and when. */
  private lastRebuild: { request: FollowRequest; finishedAt: number } | undefined;

  constructor(
    private readonly options: InstanceOperationsOptions,
    private readonly instance: InstanceLayout,
    private readonly postgres: PostgresControl,
    /** Reports the phase an operation enters (the agent's status shows it). */
    private readonly enter: (phase: InstancePhase) => void,
  ) {}

  async initializePrimary(): Promise<void> {
    this.enter('initializing');
    this.options.log.info('initializing a new primary (initdb)');
    this.preparePassfile();
    await this.postgres.initdb(this.options.secrets.superuserPassword);
    this.postgres.configure(this.settings(''));
    await this.postgres.start();
    await this.withSession(30_000, async (client) => {
      const password = this.options.secrets.replicationPassword.replaceAll("'", "''");
      // The bootstrap rule may already have named synchronous standbys (a reload races this
      // session): a synchronous commit would then wait for standbys that cannot clone until
      // this role exists. It is no client's commit, so it need not wait for one.
      await client.query(`BEGIN; SET LOCAL synchronous_commit = local; CREATE ROLE ${REPLICATION_USER} WITH REPLICATION LOGIN PASSWORD '${password}'; COMMIT`);
    });
  }

  /**
   * Makes this node a fresh standby: from the latest backup plus archived WAL when the cluster
   * has backups (no load on the primary), with pg_basebackup from the primary otherwise or when
   * the restore fails.
   */
  reclone(primary: string): Promise<void> {
    return this.interruptible((signal) => this.recloneUntil(primary, signal));
  }

  private async recloneUntil(primary: string, signal: AbortSignal): Promise<void> {
    this.enter('cloning');
    const upstream = this.upstreamOf(primary);
    await this.postgres.fence('graceful');
    this.preparePassfile();
    this.postgres.markRebuild('started');
    if (!(this.options.backups && (await this.restoreFromBackup(this.options.backups, signal)))) {
      signal.throwIfAborted();
      this.options.log.info({ upstream }, 'cloning a standby (pg_basebackup)');
      await this.postgres.baseBackup(upstream, signal);
    }
    this.postgres.setStandbySignal(true);
    this.postgres.markRebuild('finished');
  }

  private async restoreFromBackup(backups: PgBackRest, signal: AbortSignal): Promise<boolean> {
    try {
      const info = await backups.info();
      if (info.backups.length === 0) return false;
      this.options.log.info({ backup: info.backups.at(-1)?.label }, 'restoring a standby from the latest backup (pgBackRest)');
      this.postgres.emptyDataDir();
      await backups.restoreStandby(this.postgres.dataDir, signal);
      return true;
    } catch (error) {
      signal.throwIfAborted();
      this.options.log.warn({ err: (error as Error).message }, 'restoring from backup failed; cloning from the primary instead');
      return false;
    }
  }

  rewindOrReclone(primary: string): Promise<void> {
    return this.interruptible(async (signal) => {
      this.enter('rewinding');
      await this.postgres.fence('graceful');
      try {
        // A freshly promoted primary records its new timeline in pg_control only at its next
        // checkpoint, and pg_rewind reads the timeline from there: checkpoint it first.
        await this.checkpointOn(primary, signal);
        this.postgres.markRebuild('started');
        await this.postgres.rewind(this.upstreamOf(primary), signal);
        this.postgres.markRebuild('finished');
        this.options.log.info({ primary }, 'rewound onto the new primary');
      } catch (error) {
        signal.throwIfAborted();
        this.options.log.warn({ err: (error as Error).message }, 'pg_rewind failed; cloning afresh');
        await this.recloneUntil(primary, signal);
      }
    });
  }

  /**
   * What following `primary` needs first: a clone when asked or when there is no whole data
   * directory, a rewind when asked or for a former primary, nothing for a standby repointed.
   * Every orchestrator may ask for the same rejoin at once; one asked for while an identical one
   * ran is answered by it (a rewind again would stop the standby it just started). A retry that
   * escalates comes later, or with another mode, and runs.
   */
  async rebuildToFollow(request: FollowRequest, askedAt: number): Promise<void> {
    const last = this.lastRebuild;
    const repeat = last !== undefined && askedAt < last.finishedAt && last.request.term === request.term && last.request.primary === request.primary && last.request.mode === request.mode;
    if (repeat && this.hasUsableData() && this.postgres.isStandby()) {
      this.options.log.info({ term: request.term, primary: request.primary, mode: request.mode }, 'the same rejoin was asked for while it ran: done already');
      return;
    }
    if (request.mode === 'reclone' || !this.hasUsableData()) await this.reclone(request.primary);
    else if (request.mode === 'rewind' || !this.postgres.isStandby()) await this.rewindOrReclone(request.primary);
    this.lastRebuild = { request, finishedAt: Date.now() };
  }

  /**
   * Stops the rewind or clone in flight, if any: it may be waiting on a primary that froze, and
   * the election that replaces that primary needs this node. What it leaves is marked
   * unfinished (hasUsableData), so it is cloned afresh later, never served or promoted.
   */
  interruptRebuild(reason: string): void {
    this.rebuilding?.abort(new Error(reason));
  }

  /** The data directory holds a whole cluster: not missing, not left half-rebuilt. */
  hasUsableData(): boolean {
    return this.postgres.isInitialized() && !this.postgres.rebuildUnfinished();
  }

  private async interruptible(work: (signal: AbortSignal) => Promise<void>): Promise<void> {
    const rebuilding = new AbortController();
    this.rebuilding = rebuilding;
    try {
      await work(rebuilding.signal);
    } finally {
      this.rebuilding = undefined;
    }
  }

  private async checkpointOn(name: string, signal: AbortSignal): Promise<void> {
    const target = findInstance(this.options.layout, name);
    const client = new Client({
      host: target.host,
      port: target.port,
      user: SUPERUSER,
      password: this.options.secrets.superuserPassword,
      database: 'postgres',
      connectionTimeoutMillis: 5_000,
      // A frozen primary accepts the connection and never answers: bound the wait.
      query_timeout: CHECKPOINT_TIMEOUT_MS,
      ...verifiedTlsOptions(this.options.layout.internalTls),
    });
    client.on('error', () => undefined);
    const checkpoint = (async () => {
      await client.connect();
      await client.query('CHECKPOINT');
    })();
    checkpoint.catch(() => undefined); // once aborted, nobody waits for it
    try {
      await untilAborted(checkpoint, signal);
    } finally {
      // Not awaited: a frozen server never answers even the goodbye. Ending mid-query drops the
      // socket; mid-connect, the connect timeout does.
      void client.end().catch(() => undefined);
    }
  }

  /**
   * Stops a standby from receiving (and so acknowledging) WAL: its primary_conninfo is removed
   * and the WAL receiver must be gone before we answer; one that lingers is terminated. The
   * server is never restarted here: a standby that is not yet consistent (say, rewound onto a
   * primary that just died) would never come back up without that primary.
   */
  async cutReplication(): Promise<void> {
    this.postgres.configure(this.settings('', { restore: false }));
    if (this.postgres.postmasterPid() === undefined) {
      this.postgres.setStandbySignal(true);
      await this.postgres.start({ wait: false });
      return;
    }
    await this.postgres.reload();
    for (let waited = 0; waited < 2_000; waited += 50) {
      if (this.postgres.walReceiverPids().length === 0) return;
      await sleep(50);
    }
    this.options.log.warn('the WAL receiver did not stop on reload; terminating it');
    for (const pid of this.postgres.walReceiverPids()) {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        // Gone already.
      }
    }
    for (let waited = 0; this.postgres.walReceiverPids().length > 0 && waited < 3_000; waited += 50) await sleep(50);
    if (this.postgres.walReceiverPids().length > 0) throw new Error('the WAL receiver would not stop; this standby cannot be recruited');
  }

  /** Where a standby is: from the server when it answers, from its WAL files (not promotable) when it cannot; throws when it can say neither. */
  async standbyPosition(knownRuleTerm: number): Promise<{ lsn: string | null; ruleTerm: number; promotable: boolean }> {
    try {
      const [position] = await this.withSession(3_000, async (client) =>
        (await client.query(
          `SELECT pg_last_wal_receive_lsn()::text AS receive, pg_last_wal_replay_lsn()::text AS replay,
                  CASE WHEN to_regclass('polygres.rule_history') IS NULL THEN NULL ELSE (SELECT max(term) FROM polygres.rule_history) END AS rule_term`,
        )).rows as { receive: string | null; replay: string | null; rule_term: string | null }[],
      );
      return {
        lsn: maxLsn(position?.receive ?? null, position?.replay ?? null),
        ruleTerm: Math.max(Number(position?.rule_term ?? 0), knownRuleTerm),
        promotable: true,
      };
    } catch (error) {
      // Not accepting connections (starting, not yet consistent, or hung): it may not win, and
      // what it holds is read from its WAL files — every commit it flushed lies below that end,
      // so one that reaches as far on the same rule holds them too (wal-end.ts). A standby that
      // can say neither is no recruit: pg_control's bound could understate it, and a witness
      // that understates may let a standby without its commits win. Said in the log: an
      // election that no recruit can win shows why here.
      const control = await this.postgres.controlData().catch(() => undefined);
      const walEnd = await this.postgres.walEnd(control).catch((failure: Error) => failure);
      if (walEnd === null || walEnd instanceof Error) {
        const why = walEnd === null ? 'its WAL files hold no readable record' : walEnd.message;
        throw new Error(`cannot say how far this standby is: Postgres does not answer (${(error as Error).message}) and ${why}`);
      }
      const lsn = maxLsn(walEnd, control?.minRecoveryEndLsn ?? null);
      this.options.log.warn({ err: (error as Error).message, lsn }, 'recruited, but cannot read the standby position from Postgres: reporting the end of its WAL files, not promotable');
      return { lsn, ruleTerm: knownRuleTerm, promotable: false };
    }
  }

  /**
   * Takes a standby out of recovery once it has replayed all it received, with `settings` (the
   * primary's); returns how long each step took, for the log.
   */
  async promoteStandby(settings: ReturnType<InstanceOperations['settings']>): Promise<Record<string, number>> {
    let last = Date.now();
    const took: Record<string, number> = {};
    const lap = (step: string) => {
      took[step] = Date.now() - last;
      last = Date.now();
    };
    if (this.postgres.postmasterPid() === undefined) {
      this.postgres.configure(settings);
      await this.postgres.start();
    }
    await this.waitForReplayToCatchUp();
    lap('replayMs');
    this.postgres.configure(settings);
    await this.postgres.reload();
    lap('reloadMs');
    await this.postgres.promote({ wait: false });
    await this.waitForPromotion();
    lap('promoteMs');
    return took;
  }

  /**
   * Until the server has left recovery after `pg_ctl promote`: asked every 10 ms on one session,
   * where pg_ctl would look only every 100 ms.
   */
  private async waitForPromotion(): Promise<void> {
    await this.withSession(5_000, async (client) => {
      for (let waited = 0; waited < 60_000; waited += 10) {
        const { rows } = await client.query<{ recovering: boolean }>('SELECT pg_is_in_recovery() AS recovering');
        if (rows[0]?.recovering === false) return;
        await sleep(10);
      }
      throw new Error('the server did not leave recovery within 60 s of its promotion');
    });
  }

  private async waitForReplayToCatchUp(): Promise<void> {
    for (let waited = 0; waited < 60_000; waited += 20) {
      const [row] = await this.localQuery<{ caught_up: boolean | null }>(
        'SELECT pg_last_wal_receive_lsn() IS NULL OR pg_last_wal_replay_lsn() >= pg_last_wal_receive_lsn() AS caught_up',
      );
      if (row?.caught_up !== false) return;
      await sleep(20);
    }
    throw new Error('replay did not catch up with received WAL within 60 s');
  }

  preparePassfile(): void {
    this.postgres.prepareInstanceDir({ replication: this.options.secrets.replicationPassword, superuser: this.options.secrets.superuserPassword });
  }

  /**
   * The settings this instance runs with. `restore: false` leaves restore_command out, while an
   * election may promote this server: a standby with no stream runs it again and again for the
   * next segment (a pgBackRest process each time), and a promotion waits for the one in flight —
   * 400 ms measured, most of a failover. WAL from the archive is no help to an election: the
   * winner is chosen by what it holds.
   */
  settings(syncNames: string, { restore = true }: { restore?: boolean } = {}) {
    const commands = this.options.spec.backup?.archiveWal ? instanceArchiveCommands(this.options.layout, this.options.spec, this.instance) : undefined;
    const archive = commands && !restore ? { archiveCommand: commands.archiveCommand } : commands;
    return {
      ...(archive ? { archive } : {}),
      instanceName: this.instance.name,
      listenAddress: this.instance.host,
      port: this.instance.port,
      socketDir: this.instance.socketDir,
      maxWalSenders: this.options.layout.instances.length * 2 + 4,
      parameters: this.options.spec.postgres.parameters,
      syncStandbyNames: syncNames,
    };
  }

  upstreamOf(name: string): { host: string; port: number } {
    const primary = findInstance(this.options.layout, name);
    return { host: primary.host, port: primary.port };
  }

  /** What the rendered settings change only at the next restart, and which of those go down. */
  pendingRestart(): Promise<PendingRestart> {
    return readPendingRestart((sql) => this.localQuery(sql));
  }

  /** Until a new session sees configuration loaded after `since` (a reload is asynchronous). */
  async waitForConfigurationLoadedAfter(since: Date): Promise<void> {
    for (let waited = 0; waited < 10_000; waited += 50) {
      const [row] = await this.localQuery<{ at: Date }>('SELECT pg_conf_load_time() AS at');
      if (row && row.at.getTime() > since.getTime()) return;
      await sleep(50);
    }
    throw new Error('postgres did not load its configuration within 10 s of the reload');
  }

  localQuery<T>(sql: string): Promise<T[]> {
    return this.withSession(10_000, async (client) => (await client.query(sql)).rows as T[]);
  }

  /**
   * A dedicated superuser session for control statements, apart from the health probe, over
   * the private socket: it needs no password, so a superuser password being rotated never
   * locks the agent out of its own server.
   */
  async withSession<T>(statementTimeoutMs: number, work: (client: Client) => Promise<T>): Promise<T> {
    const client = new Client({
      host: this.instance.socketDir,
      port: this.instance.port,
      user: SUPERUSER,
      database: 'postgres',
      application_name: 'polygres-agent',
      connectionTimeoutMillis: 5_000,
      statement_timeout: statementTimeoutMs,
      // A frozen server enforces no statement_timeout: bound the wait on our side too.
      ...(statementTimeoutMs > 0 ? { query_timeout: statementTimeoutMs + 2_000 } : {}),
    });
    client.on('error', () => undefined);
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}

/** Waits until this session sees `name` = `expected` (a reload reaches backends asynchronously). */
export async function waitForSetting(client: Client, name: string, expected: string): Promise<void> {
  for (;;) {
    const result = await client.query('SELECT current_setting($1) AS value', [name]);
    if ((result.rows[0] as { value: string }).value === expected) return;
    await sleep(20);
  }
}

/**
 * The pooler's control half: it owns its Postgres. On its own it bootstraps a new primary
 * (initdb) or standby (base backup), restarts a server that died in the role its data
 * directory has, points standbys at the rule's primary, and fences a former primary that a
 * newer rule replaced. During an election it does only what the orchestrator holding the
 * highest accepted term asks (recruit, promote, follow); a lower term is refused.
 */
import { join } from 'node:path';
import { Client } from 'pg';
import { HttpError } from '../admin/http-server';
import { maxLsn } from '../consensus/lsn';
import { syncStandbyNames } from '../consensus/sync-standby-names';
import type { ClusterLayout, InstanceLayout } from '../local/layout';
import { instanceArchiveCommands } from '../local/backup-files';
import type { PgBackRest } from '../backup/pgbackrest-runner';
import { findInstance } from '../local/layout';
import { instancePostgres } from '../local/instance-postgres';
import { type ClusterSecrets, REPLICATION_USER, SUPERUSER } from '../local/secrets';
import type { ClusterSpec } from '../spec/schema';
import type { ShardRule } from '../topo/records';
import type { Logger } from '../util/log';
import { sleep } from '../util/net';
import { isStopped } from '../util/process-tree';
import { AcceptedTermStore } from './accepted-term';
import { BusyOrFrozen } from './busy-or-frozen';
import type { AckReply, ApplySyncRequest, EstablishRuleRequest, FollowRequest, PromoteRequest, RecruitReply, RecruitRequest } from './consensus-messages';
import type { InstancePhase, InstanceStatus } from './instance-status';
import type { PostgresControl } from './postgres-control';
import { type PostgresHealth, PostgresProbe, unhealthy } from './postgres-probe';
import { writeRule } from './rule-table';

export interface NodeAgentOptions {
  readonly layout: ClusterLayout;
  readonly spec: ClusterSpec;
  readonly instanceName: string;
  readonly secrets: ClusterSecrets;
  readonly log: Logger;
  /** pgBackRest for this cluster, when the spec has backups: new standbys restore from it. */
  readonly backups?: PgBackRest;
}

const HEALTH_INTERVAL_MS = 250;
/** A health query unanswered this long counts as a failed check (a frozen server). */
const HEALTH_QUERY_TIMEOUT_MS = 800;
/**
 * A primary whose Postgres died is restarted in place only if no election has recruited this
 * node by then: failing over is faster, and restarting in place is what is left when a
 * failover cannot happen (say, a standby the policy needs is down too).
 */
const PRIMARY_RESTART_DELAY_MS = 3_000;
/** A health check older than this is no evidence of health (the check itself is stuck). */
const HEALTH_FRESHNESS_MS = 5_000;
const CONVERGE_INTERVAL_MS = 1_000;

/** Answered with HTTP 409: a term lower than one already accepted. */
export class StaleTermError extends HttpError {
  constructor(readonly given: number, readonly accepted: number) {
    super(409, `term ${given} refused: term ${accepted} was already accepted`);
  }
}

export class NodeAgent {
  readonly instance: InstanceLayout;
  readonly postgres: PostgresControl;
  private readonly probe: PostgresProbe;
  private readonly terms: AcceptedTermStore;
  private phase: InstancePhase = 'waiting-for-rule';
  private health: PostgresHealth = unhealthy('not checked yet');
  private healthCheckedAt = 0;
  private readonly verdict = new BusyOrFrozen(isStopped);
  private lastError: string | null = null;
  private lastRuleTerm = 0;
  private rule: ShardRule | undefined;
  /** Operations that change Postgres run one at a time, in order. */
  private chain: Promise<unknown> = Promise.resolve();
  private convergeQueued = false;
  private primaryDownSince: number | undefined;
  private establishing: number | undefined;
  private stopped = false;
  private timers: NodeJS.Timeout[] = [];
  /** Called on each convergence while this node is the serving primary (stanza creation hooks here). */
  onServingPrimary: (() => void) | undefined;
  /** Called when this node accepts a new term: whatever waits to run here was routed under an older one. */
  onRecruited: (() => void) | undefined;

  constructor(private readonly options: NodeAgentOptions) {
    this.instance = findInstance(options.layout, options.instanceName);
    this.postgres = instancePostgres(options.layout, this.instance);
    this.probe = new PostgresProbe(
      { host: this.instance.host, port: this.instance.port, user: SUPERUSER, password: options.secrets.superuserPassword },
      HEALTH_QUERY_TIMEOUT_MS,
    );
    // Beside the data it guards, in the directory the node's account owns (the run directory,
    // where it was kept before, belongs to whoever started the cluster).
    this.terms = new AcceptedTermStore(join(this.instance.instanceDir, 'accepted-term'), [join(options.layout.runDir, `${this.instance.name}.accepted-term`)]);
  }

  start(): void {
    const health = async () => {
      if (this.stopped) return;
      const running = this.postgres.postmasterPid() !== undefined;
      const checked = running ? await this.probe.check() : unhealthy('postgres is not running');
      // Judged by the postmaster as it is now, after a check that may have waited 1.6 s: one that
      // died meanwhile gets no grace as 'busy'.
      this.health = this.verdict.judge(checked, this.postgres.postmasterPid());
      this.healthCheckedAt = Date.now();
      // A server that died under us is restarted by convergence at once, not at the next tick.
      if (!running && this.phase === 'running') this.scheduleConverge();
      if (this.health.ruleTerm !== null) this.lastRuleTerm = Math.max(this.lastRuleTerm, this.health.ruleTerm);
      this.timers[0] = setTimeout(() => void health(), HEALTH_INTERVAL_MS);
    };
    void health();
    this.timers[1] = setInterval(() => this.scheduleConverge(), CONVERGE_INTERVAL_MS);
  }

  /** Called with every rule the topology holds. */
  onRule(rule: ShardRule | undefined): void {
    if (!rule) return;
    this.rule = rule;
    this.scheduleConverge();
  }

  status(): InstanceStatus {
    const fresh = Date.now() - this.healthCheckedAt < HEALTH_FRESHNESS_MS;
    const health = fresh ? this.health : { ...this.health, healthy: false, error: `no health check finished for ${Date.now() - this.healthCheckedAt} ms` };
    const role = health.inRecovery === null ? 'unknown' : health.inRecovery ? 'replica' : 'primary';
    return {
      instance: this.instance.name,
      zone: this.instance.zone,
      phase: this.phase,
      role,
      healthy: health.healthy,
      postmasterPid: this.postgres.postmasterPid() ?? null,
      lsn: health.lsn,
      receiveLsn: health.receiveLsn,
      walReceiver: health.walReceiver,
      upstream: health.upstream,
      replication: health.replication,
      syncStandbyNames: health.syncStandbyNames,
      ruleTerm: health.ruleTerm,
      archiver: health.archiver,
      acceptedTerm: this.terms.current,
      error: this.lastError ?? health.error,
      checkedAt: new Date(this.healthCheckedAt).toISOString(),
    };
  }

  /** Stops health checks and convergence and, when asked, the Postgres server itself. */
  async stop(stopPostgres: boolean): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.probe.close();
    if (stopPostgres) await this.exclusive(() => this.postgres.stop('fast'));
  }

  // ---------------------------------------------------------------- consensus operations

  /**
   * Joins an election: persist the term, then make sure this node acknowledges nothing more
   * for the old primary — a primary is fenced, a standby's replication is cut — and report
   * the rule term and WAL this node holds.
   */
  recruit(request: RecruitRequest): Promise<RecruitReply> {
    return this.exclusive(async () => {
      if (!this.terms.raiseTo(request.term)) throw new StaleTermError(request.term, this.terms.current);
      this.options.log.info({ term: request.term, by: request.by }, 'recruited');
      this.onRecruited?.();
      const reply = { instance: this.instance.name, zone: this.instance.zone, accepted: true, acceptedTerm: this.terms.current };
      if (!this.postgres.isInitialized()) {
        return { ...reply, wasPrimary: false, promotable: false, lsn: null, ruleTerm: 0, error: 'no data directory' };
      }
      this.phase = 'recruited';
      if (!this.postgres.isStandby()) {
        await this.postgres.fence(request.fence);
        const control = await this.postgres.controlData();
        // After a clean shutdown the checkpoint is the end of WAL and the server may serve again
        // (a switchover rolled back); after a kill its WAL end is unknown and it must be rewound.
        const clean = control.state === 'shut down';
        return {
          ...reply,
          wasPrimary: true,
          promotable: clean,
          lsn: clean ? control.checkpointLsn : null,
          ruleTerm: this.lastRuleTerm,
          error: null,
        };
      }
      await this.cutReplication();
      const position = await this.standbyPosition();
      return { ...reply, wasPrimary: false, ...position, error: null };
    });
  }

  /** Becomes the primary of the accepted term, once every received WAL record is replayed. */
  promote(request: PromoteRequest): Promise<AckReply> {
    return this.exclusive(async () => {
      this.requireAccepted(request.term);
      if (!this.postgres.isInitialized()) throw new Error('no data directory to promote');
      this.phase = 'promoting';
      const settings = this.settings(syncStandbyNames(request.sync));
      if (this.postgres.isStandby()) {
        if (this.postgres.postmasterPid() === undefined) {
          this.postgres.configure(settings);
          await this.postgres.start();
        }
        await this.waitForReplayToCatchUp();
        this.postgres.configure(settings);
        await this.postgres.reload();
        await this.postgres.promote();
      } else {
        this.postgres.configure(settings);
        if (this.postgres.postmasterPid() === undefined) await this.postgres.start();
        else await this.postgres.reload();
      }
      this.phase = 'running';
      this.options.log.info({ term: request.term, sync: settings.syncStandbyNames }, 'promoted');
      const [row] = await this.localQuery<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn');
      return { ok: true, lsn: row?.lsn ?? null };
    });
  }

  /**
   * Writes the rule with a synchronous commit. It returns only once the policy's quorum has
   * it, so it may wait as long as standbys are missing; it does not hold up other operations.
   */
  async establishRule(request: EstablishRuleRequest): Promise<AckReply> {
    this.requireAccepted(request.term);
    const expected = syncStandbyNames(request.rule.sync);
    await this.withSession(0, async (client) => {
      await waitForSetting(client, 'synchronous_standby_names', expected);
      await writeRule(client, request.rule);
    });
    this.lastRuleTerm = Math.max(this.lastRuleTerm, request.rule.term);
    this.options.log.info({ term: request.rule.term }, 'rule written durably');
    return { ok: true, lsn: null };
  }

  /** Follows `primary`: repoint a standby, rewind a former primary, or clone afresh. */
  follow(request: FollowRequest): Promise<AckReply> {
    return this.exclusive(async () => {
      if (!this.terms.raiseTo(request.term)) throw new StaleTermError(request.term, this.terms.current);
      const upstream = this.upstreamOf(request.primary);
      if (request.mode === 'reclone' || !this.postgres.isInitialized()) {
        await this.reclone(request.primary);
      } else if (request.mode === 'rewind' || !this.postgres.isStandby()) {
        await this.rewindOrReclone(request.primary);
      }
      this.postgres.setStandbySignal(true);
      const changed = this.postgres.configure(this.settings(''), upstream);
      if (this.postgres.postmasterPid() === undefined) await this.postgres.start({ wait: false });
      else if (changed) await this.postgres.reload();
      this.phase = 'running';
      this.options.log.info({ term: request.term, primary: request.primary, mode: request.mode }, 'following');
      return { ok: true, lsn: null };
    });
  }

  /** Runs the primary with a new synchronous configuration (a policy change). */
  applySync(request: ApplySyncRequest): Promise<AckReply> {
    return this.exclusive(async () => {
      if (!this.terms.raiseTo(request.term)) throw new StaleTermError(request.term, this.terms.current);
      const names = syncStandbyNames(request.sync);
      if (this.postgres.configure(this.settings(names))) await this.postgres.reload();
      await this.withSession(10_000, (client) => waitForSetting(client, 'synchronous_standby_names', names));
      return { ok: true, lsn: null };
    });
  }

  // ---------------------------------------------------------------- autonomous convergence

  private scheduleConverge(): void {
    if (this.convergeQueued || this.stopped) return;
    this.convergeQueued = true;
    void this.exclusive(async () => {
      this.convergeQueued = false;
      const rule = this.rule;
      if (!rule || this.stopped) return;
      try {
        await this.convergeTo(rule);
        this.lastError = null;
      } catch (error) {
        this.lastError = (error as Error).message;
        this.options.log.warn({ err: this.lastError }, 'converging postgres failed; will retry');
      }
    });
  }

  private async convergeTo(rule: ShardRule): Promise<void> {
    // During an election, or once recruited into a newer one, only its orchestrator acts.
    if (rule.status === 'electing' || this.terms.current > rule.term) return;
    // Serving a published rule is accepting its term: lower terms are refused from now on.
    this.terms.raiseTo(rule.term);
    const isPrimary = rule.primary === this.instance.name;
    if (!this.postgres.isInitialized()) {
      if (!isPrimary) {
        await this.reclone(rule.primary);
      } else if (rule.status === 'bootstrapping' && rule.term === 1) {
        await this.initializePrimary();
      } else {
        this.phase = 'failed';
        throw new Error('the rule names this instance primary but its data directory is empty; fail over to another instance');
      }
    } else if (isPrimary && this.postgres.isStandby()) {
      return; // promotion is the orchestrator's to do
    } else if (!isPrimary && !this.postgres.isStandby()) {
      // A former primary must never serve under a rule that names another.
      if (this.postgres.postmasterPid() !== undefined) this.options.log.warn({ primary: rule.primary }, 'fencing myself: the rule names another primary');
      await this.postgres.fence('graceful');
      this.phase = 'needs-rejoin';
      return;
    }
    // A policy change in flight owns the primary's synchronous configuration.
    const names = isPrimary ? (rule.pendingSync ? (this.health.syncStandbyNames ?? syncStandbyNames(rule.sync)) : syncStandbyNames(rule.sync)) : '';
    const changed = this.postgres.configure(this.settings(names), isPrimary ? undefined : this.upstreamOf(rule.primary));
    if (this.postgres.postmasterPid() === undefined) {
      if (isPrimary && rule.status === 'serving' && this.phase === 'running') {
        this.primaryDownSince ??= Date.now();
        if (Date.now() - this.primaryDownSince < PRIMARY_RESTART_DELAY_MS) return;
        this.options.log.warn('no election took over the dead primary: restarting it in place');
      }
      this.phase = 'starting';
      this.postgres.setStandbySignal(!isPrimary);
      await this.postgres.start({ wait: isPrimary });
    } else if (changed) {
      await this.postgres.reload();
    }
    this.primaryDownSince = undefined;
    this.phase = 'running';
    if (isPrimary && rule.status === 'bootstrapping') this.establishInBackground(rule);
    if (isPrimary && rule.status === 'serving') this.onServingPrimary?.();
  }

  private async initializePrimary(): Promise<void> {
    this.phase = 'initializing';
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

  /** Bootstrap's last step: the rule, written with a synchronous commit, once standbys stream. */
  private establishInBackground(rule: ShardRule): void {
    if (this.establishing === rule.term) return;
    this.establishing = rule.term;
    this.establishRule({ term: rule.term, rule })
      .catch((error: unknown) => this.options.log.warn({ err: (error as Error).message }, 'writing the bootstrap rule failed; will retry'))
      .finally(() => (this.establishing = undefined));
  }

  /**
   * Makes this node a fresh standby: from the latest backup plus archived WAL when the cluster
   * has backups (no load on the primary), with pg_basebackup from the primary otherwise or when
   * the restore fails.
   */
  private async reclone(primary: string): Promise<void> {
    this.phase = 'cloning';
    const upstream = this.upstreamOf(primary);
    await this.postgres.fence('graceful');
    this.preparePassfile();
    if (this.options.backups && (await this.restoreFromBackup(this.options.backups))) return;
    this.options.log.info({ upstream }, 'cloning a standby (pg_basebackup)');
    await this.postgres.baseBackup(upstream);
    this.postgres.setStandbySignal(true);
  }

  private async restoreFromBackup(backups: PgBackRest): Promise<boolean> {
    try {
      const info = await backups.info();
      if (info.backups.length === 0) return false;
      this.options.log.info({ backup: info.backups.at(-1)?.label }, 'restoring a standby from the latest backup (pgBackRest)');
      this.postgres.emptyDataDir();
      await backups.restoreStandby(this.postgres.dataDir);
      this.postgres.setStandbySignal(true);
      return true;
    } catch (error) {
      this.options.log.warn({ err: (error as Error).message }, 'restoring from backup failed; cloning from the primary instead');
      return false;
    }
  }

  private async rewindOrReclone(primary: string): Promise<void> {
    this.phase = 'rewinding';
    await this.postgres.fence('graceful');
    try {
      // A freshly promoted primary records its new timeline in pg_control only at its next
      // checkpoint, and pg_rewind reads the timeline from there: checkpoint it first.
      await this.checkpointOn(primary);
      await this.postgres.rewind(this.upstreamOf(primary));
      this.options.log.info({ primary }, 'rewound onto the new primary');
    } catch (error) {
      this.options.log.warn({ err: (error as Error).message }, 'pg_rewind failed; cloning afresh');
      await this.reclone(primary);
    }
  }

  private async checkpointOn(name: string): Promise<void> {
    const target = findInstance(this.options.layout, name);
    const client = new Client({
      host: target.host,
      port: target.port,
      user: SUPERUSER,
      password: this.options.secrets.superuserPassword,
      database: 'postgres',
      connectionTimeoutMillis: 5_000,
    });
    client.on('error', () => undefined);
    await client.connect();
    try {
      await client.query('CHECKPOINT');
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  /**
   * Stops a standby from receiving (and so acknowledging) WAL: its primary_conninfo is removed
   * and the WAL receiver must be gone before we answer; one that lingers is terminated. The
   * server is never restarted here: a standby that is not yet consistent (say, rewound onto a
   * primary that just died) would never come back up without that primary.
   */
  private async cutReplication(): Promise<void> {
    this.postgres.configure(this.settings(''));
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

  /** Where a standby is: from the server when it answers, from pg_control when it cannot yet. */
  private async standbyPosition(): Promise<{ lsn: string | null; ruleTerm: number; promotable: boolean }> {
    try {
      const [position] = await this.withSession(3_000, async (client) =>
        (await client.query(
          `SELECT pg_last_wal_receive_lsn()::text AS receive, pg_last_wal_replay_lsn()::text AS replay,
                  CASE WHEN to_regclass('polygres.rule_history') IS NULL THEN NULL ELSE (SELECT max(term) FROM polygres.rule_history) END AS rule_term`,
        )).rows as { receive: string | null; replay: string | null; rule_term: string | null }[],
      );
      return {
        lsn: maxLsn(position?.receive ?? null, position?.replay ?? null),
        ruleTerm: Math.max(Number(position?.rule_term ?? 0), this.lastRuleTerm),
        promotable: true,
      };
    } catch {
      // Not accepting connections yet (not consistent): it holds less than its peers, or at
      // least cannot prove otherwise; it may not win.
      const control = await this.postgres.controlData().catch(() => undefined);
      return { lsn: control?.minRecoveryEndLsn ?? null, ruleTerm: this.lastRuleTerm, promotable: false };
    }
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

  // ---------------------------------------------------------------- helpers

  private requireAccepted(term: number): void {
    if (term !== this.terms.current) throw new StaleTermError(term, this.terms.current);
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const next = this.chain.then(work, work);
    this.chain = next.catch(() => undefined);
    return next;
  }

  private preparePassfile(): void {
    this.postgres.prepareInstanceDir({ replication: this.options.secrets.replicationPassword, superuser: this.options.secrets.superuserPassword });
  }

  private settings(syncNames: string) {
    const archive = this.options.spec.backup?.archiveWal ? instanceArchiveCommands(this.options.layout, this.options.spec, this.instance) : undefined;
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

  private upstreamOf(name: string): { host: string; port: number } {
    const primary = findInstance(this.options.layout, name);
    return { host: primary.host, port: primary.port };
  }

  private localQuery<T>(sql: string): Promise<T[]> {
    return this.withSession(10_000, async (client) => (await client.query(sql)).rows as T[]);
  }

  /** A dedicated superuser session for control statements, apart from the health probe. */
  private async withSession<T>(statementTimeoutMs: number, work: (client: Client) => Promise<T>): Promise<T> {
    const client = new Client({
      host: this.instance.host,
      port: this.instance.port,
      user: SUPERUSER,
      password: this.options.secrets.superuserPassword,
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
async function waitForSetting(client: Client, name: string, expected: string): Promise<void> {
  for (;;) {
    const result = await client.query('SELECT current_setting($1) AS value', [name]);
    if ((result.rows[0] as { value: string }).value === expected) return;
    await sleep(20);
  }
}

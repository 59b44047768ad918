/**
 * The pooler's control half: it owns its Postgres. On its own it bootstraps a new primary
 * (initdb) or standby (base backup), restarts a server that died in the role its data
 * directory has, points standbys at the rule's primary, and fences a former primary that a
 * newer rule replaced. During an election it does only what the orchestrator holding the
 * highest accepted term asks (recruit, promote, follow); a lower term is refused.
 */
import { join } from 'node:path';
import { ConflictError, InvalidRequestError, StaleTermError } from '../util/domain-errors';
import { syncStandbyNames } from '../consensus/sync-standby-names';
import type { PgBackRest } from '../backup/pgbackrest-runner';
import { type ClusterLayout, type InstanceLayout, findInstance } from '../deployment/layout';
import { instancePostgres } from '../postgres/instance-postgres';
import { type ClusterSecrets, SUPERUSER } from '../deployment/secrets';
import type { ClusterSpec } from '../spec/schema';
import type { ShardRule } from '../topo/records';
import type { Logger } from '../util/log';
import { isStopped } from '../util/process-tree';
import { DurableTerm } from './durable-term';
import { BusyOrFrozen } from './busy-or-frozen';
import type { AckReply, ApplySyncRequest, EstablishRuleRequest, FollowRequest, PromoteRequest, RecruitReply, RecruitRequest } from './consensus-messages';
import type { InstancePhase, InstanceStatus } from '../postgres/instance-status';
import type { PostgresControl } from '../postgres/postgres-control';
import { type PostgresHealth, PostgresProbe, unhealthy } from '../postgres/postgres-probe';
import { writeRule } from './rule-table';
import { InstanceOperations, waitForSetting } from './instance-operations';
import type { PendingRestart } from './pending-restart';
import { CONVERGE_INTERVAL_MS, HEALTH_FRESHNESS_MS, HEALTH_INTERVAL_MS, HEALTH_QUERY_TIMEOUT_MS, PRIMARY_RESTART_DELAY_MS } from './agent-timing';

export interface NodeAgentOptions {
  readonly layout: ClusterLayout;
  readonly spec: ClusterSpec;
  readonly instanceName: string;
  readonly secrets: ClusterSecrets;
  readonly log: Logger;
  /** pgBackRest for this cluster, when the spec has backups: new standbys restore from it. */
  readonly backups?: PgBackRest;
}

export class NodeAgent {
  readonly instance: InstanceLayout;
  readonly postgres: PostgresControl;
  private readonly probe: PostgresProbe;
  private readonly terms: DurableTerm;
  private readonly operations: InstanceOperations;
  private phase: InstancePhase = 'waiting-for-rule';
  private health: PostgresHealth = unhealthy('not checked yet');
  private healthCheckedAt = 0;
  private readonly verdict = new BusyOrFrozen(isStopped);
  private lastError: string | null = null;
  /** The highest rule term this node is known to hold: read by the health probe, or written by it as primary. */
  private readonly ruleTerms: DurableTerm;
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

  /** The options, with the spec replaced when the cluster's spec changes (apply, reload), the secrets when rotated. */
  private readonly options: NodeAgentOptions & { spec: ClusterSpec; secrets: ClusterSecrets };

  constructor(options: NodeAgentOptions) {
    // One object shared with the operations: a new spec reaches both.
    this.options = { ...options };
    this.instance = findInstance(options.layout, options.instanceName);
    this.postgres = instancePostgres(options.layout, this.instance);
    this.operations = new InstanceOperations(this.options, this.instance, this.postgres, (phase) => (this.phase = phase));
    // Over the private socket, as the agent's sessions: no password to go stale in a rotation.
    this.probe = new PostgresProbe(
      { host: this.instance.socketDir, port: this.instance.port, user: SUPERUSER },
      HEALTH_QUERY_TIMEOUT_MS,
    );
    // Beside the data it guards, in the directory the node's account owns (the run directory,
    // where it was kept before, belongs to whoever started the cluster).
    this.terms = new DurableTerm(join(this.instance.instanceDir, 'accepted-term'), [join(options.layout.runDir, `${this.instance.name}.accepted-term`)]);
    this.ruleTerms = new DurableTerm(join(this.instance.instanceDir, 'rule-term'));
  }

  start(): void {
    const health = async () => {
      if (this.stopped) return;
      // Stamped with when the check began: it speaks for the server as it was then, and a
      // maintenance command waiting for a check newer than its restart must not take one that
      // began against the server it stopped.
      const startedAt = Date.now();
      const running = this.postgres.postmasterPid() !== undefined;
      const checked = running ? await this.probe.check() : unhealthy('postgres is not running');
      // Judged by the postmaster as it is now, after a check that may have waited 1.6 s: one that
      // died meanwhile gets no grace as 'busy'.
      this.health = this.verdict.judge(checked, this.postgres.postmasterPid());
      this.healthCheckedAt = startedAt;
      // A server that died under us is restarted by convergence at once, not at the next tick.
      if (!running && this.phase === 'running') this.scheduleConverge();
      if (this.health.ruleTerm !== null) this.ruleTerms.tryRaiseTo(this.health.ruleTerm, this.options.log);
      this.timers[0] = setTimeout(() => void health(), HEALTH_INTERVAL_MS);
    };
    void health();
    this.timers[1] = setInterval(() => this.scheduleConverge(), CONVERGE_INTERVAL_MS);
  }

  /** The last rule the topology held, as this pooler saw it. */
  get currentRule(): ShardRule | undefined { return this.rule; }

  /** Rotated secrets (role-passwords.ts): from now on, and in the passfile streaming and pg_rewind read. */
  useSecrets(secrets: ClusterSecrets): void {
    this.options.secrets = secrets;
    this.operations.preparePassfile();
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
      timeline: health.timeline,
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
   * Joins an election: persist the term, then make sure this node acknowledges nothing more for
   * the old primary (a primary is fenced, a standby's replication is cut); report what it holds.
   */
  recruit(request: RecruitRequest): Promise<RecruitReply> {
    // Accepted now, not once the lock is free: what waits for it under an older term is refused,
    // and a rewind or clone holding it (stuck, maybe, on the primary being replaced) is stopped.
    const newer = request.term > this.terms.current;
    if (!this.terms.raiseTo(request.term)) return Promise.reject(new StaleTermError(request.term, this.terms.current));
    if (newer) this.operations.interruptRebuild(`recruited into term ${request.term}`);
    return this.exclusive(async () => {
      if (!this.terms.raiseTo(request.term)) throw new StaleTermError(request.term, this.terms.current);
      this.options.log.info({ term: request.term, by: request.by }, 'recruited');
      this.onRecruited?.();
      const reply = { instance: this.instance.name, zone: this.instance.zone, accepted: true, acceptedTerm: this.terms.current };
      if (!this.operations.hasUsableData()) {
        await this.postgres.fence('kill'); // what an interrupted pg_rewind started (its crash recovery)
        const error = this.postgres.isInitialized() ? 'its data directory is half rebuilt (a rewind or clone did not finish)' : 'no data directory';
        // wasPrimary: repointed after the winner's promotion; a clone taken while it is promoted fails.
        return { ...reply, wasPrimary: true, promotable: false, lsn: null, ruleTerm: 0, error };
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
          ruleTerm: this.ruleTerms.current,
          error: null,
        };
      }
      await this.operations.cutReplication();
      const position = await this.operations.standbyPosition(this.ruleTerms.current);
      return { ...reply, wasPrimary: false, ...position, error: null };
    });
  }

  /** Becomes the primary of the accepted term, once every received WAL record is replayed. */
  promote(request: PromoteRequest): Promise<AckReply> {
    return this.exclusive(async () => {
      this.requireAccepted(request.term);
      if (!this.operations.hasUsableData()) throw new Error('no whole data directory to promote');
      this.phase = 'promoting';
      // No restore_command until it serves (instance-operations.ts settings): it would hold up the promotion.
      const settings = this.operations.settings(syncStandbyNames(request.sync), { restore: false });
      let took: Record<string, number> = {};
      if (this.postgres.isStandby()) {
        took = await this.operations.promoteStandby(settings);
      } else {
        this.postgres.configure(settings);
        if (this.postgres.postmasterPid() === undefined) await this.postgres.start();
        else await this.postgres.reload();
      }
      this.phase = 'running';
      this.options.log.info({ term: request.term, sync: settings.syncStandbyNames, ...took }, 'promoted');
      const [row] = await this.operations.localQuery<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn');
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
    await this.operations.withSession(0, async (client) => {
      await waitForSetting(client, 'synchronous_standby_names', expected);
      await writeRule(client, request.rule);
    });
    this.ruleTerms.tryRaiseTo(request.rule.term, this.options.log);
    this.options.log.info({ term: request.rule.term }, 'rule written durably');
    return { ok: true, lsn: null };
  }

  /** Follows `primary`: repoint a standby, rewind a former primary, or clone afresh. */
  follow(request: FollowRequest): Promise<AckReply> {
    const askedAt = Date.now();
    return this.exclusive(async () => {
      if (!this.terms.raiseTo(request.term)) throw new StaleTermError(request.term, this.terms.current);
      const upstream = this.operations.upstreamOf(request.primary);
      await this.operations.rebuildToFollow(request, askedAt);
      this.postgres.setStandbySignal(true);
      const changed = this.postgres.configure(this.operations.settings(''), upstream);
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
      if (this.postgres.configure(this.operations.settings(names))) await this.postgres.reload();
      await this.operations.withSession(10_000, (client) => waitForSetting(client, 'synchronous_standby_names', names));
      return { ok: true, lsn: null };
    });
  }

  // ---------------------------------------------------------------- maintenance

  /**
   * Renders Postgres' settings from `spec` and reloads; returns the parameters that changed but
   * take effect only after a restart (pg_settings.pending_restart).
   */
  reloadConfiguration(spec: ClusterSpec): Promise<PendingRestart> {
    this.options.spec = spec;
    return this.exclusive(async () => {
      const rendered = this.postgres.renderedSettings();
      const [loaded] = await this.operations.localQuery<{ at: Date }>('SELECT pg_conf_load_time() AS at');
      if (this.rule) await this.convergeTo(this.rule);
      // The postmaster reads the file when the signal arrives: wait for that before asking.
      if (this.postgres.renderedSettings() !== rendered) await this.operations.waitForConfigurationLoadedAfter(loaded!.at);
      return this.operations.pendingRestart();
    });
  }

  /** Restarts Postgres in its current role (fast shutdown, then start), nothing in between. */
  restartPostgres(): Promise<{ postmasterPid: number | null }> {
    return this.exclusive(async () => {
      if (!this.rule || this.rule.status !== 'serving') throw new ConflictError('the cluster has no serving rule right now; retry when status shows it serving');
      this.options.log.info('restarting postgres (asked for)');
      // Not 'running', from before the stop: a primary asked to restart starts again at once,
      // without the grace a dead one gets, and the orchestrators give it time (primary-postgres-down.ts).
      this.phase = 'starting';
      await this.postgres.stop('fast');
      await this.convergeTo(this.rule);
      return { postmasterPid: this.postgres.postmasterPid() ?? null };
    });
  }

  /** Throws this standby's data away and builds it again: from the latest backup, else from the primary. */
  reinitialize(): Promise<void> {
    return this.exclusive(async () => {
      const rule = this.rule;
      if (!rule || rule.status !== 'serving') throw new ConflictError('the cluster has no serving rule right now; retry when status shows it serving');
      if (rule.primary === this.instance.name) throw new InvalidRequestError(`${this.instance.name} is the primary: switch over first (polygres switchover), then reinit it`);
      this.options.log.warn('reinitializing: the data directory is rebuilt (asked for)');
      await this.postgres.fence('graceful');
      this.postgres.emptyDataDir();
      await this.convergeTo(rule);
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
    if (!this.operations.hasUsableData()) {
      if (!isPrimary) {
        await this.operations.reclone(rule.primary);
      } else if (rule.status === 'bootstrapping' && rule.term === 1) {
        await this.operations.initializePrimary();
      } else {
        this.phase = 'failed';
        throw new Error('the rule names this instance primary but its data directory is empty or half rebuilt; fail over to another instance');
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
    const changed = this.postgres.configure(this.operations.settings(names), isPrimary ? undefined : this.operations.upstreamOf(rule.primary));
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

  /** Bootstrap's last step: the rule, written with a synchronous commit, once standbys stream. */
  private establishInBackground(rule: ShardRule): void {
    if (this.establishing === rule.term) return;
    this.establishing = rule.term;
    this.establishRule({ term: rule.term, rule })
      .catch((error: unknown) => this.options.log.warn({ err: (error as Error).message }, 'writing the bootstrap rule failed; will retry'))
      .finally(() => (this.establishing = undefined));
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
}

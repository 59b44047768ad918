/**
 * The pooler's control half: brings its Postgres into the role the shard rule gives it and
 * reports what it sees. It bootstraps a new primary (initdb) or a new standby (base backup),
 * restarts a stopped server in the role its data directory already has, and refuses to run
 * a former primary that the rule has replaced: that one must be rejoined as a standby.
 */
import { Client } from 'pg';
import type { ClusterLayout, InstanceLayout } from '../local/layout';
import { findInstance } from '../local/layout';
import { type ClusterSecrets, REPLICATION_USER, SUPERUSER } from '../local/secrets';
import type { ClusterSpec } from '../spec/schema';
import type { ShardRule } from '../topo/records';
import type { Logger } from '../util/log';
import { sleep } from '../util/net';
import type { InstancePhase, InstanceStatus } from './instance-status';
import { PostgresControl } from './postgres-control';
import { type PostgresHealth, PostgresProbe, unhealthy } from './postgres-probe';
import { writeRule } from './rule-table';

export interface NodeAgentOptions {
  readonly layout: ClusterLayout;
  readonly spec: ClusterSpec;
  readonly instanceName: string;
  readonly secrets: ClusterSecrets;
  readonly log: Logger;
}

const HEALTH_INTERVAL_MS = 500;

export class NodeAgent {
  readonly instance: InstanceLayout;
  readonly postgres: PostgresControl;
  private readonly probe: PostgresProbe;
  private phase: InstancePhase = 'waiting-for-rule';
  private health: PostgresHealth = unhealthy('not checked yet');
  private lastError: string | null = null;
  private rule: ShardRule | undefined;
  private converging = false;
  private stopped = false;
  private healthTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: NodeAgentOptions) {
    this.instance = findInstance(options.layout, options.instanceName);
    this.postgres = new PostgresControl({
      instanceDir: this.instance.instanceDir,
      hbaNetworks: ['127.0.0.1/32', '::1/128'],
      ...(options.layout.postgresUser ? { osUser: options.layout.postgresUser } : {}),
    });
    this.probe = new PostgresProbe({
      host: this.instance.host,
      port: this.instance.port,
      user: SUPERUSER,
      password: options.secrets.superuserPassword,
    });
  }

  start(): void {
    const tick = async () => {
      if (this.stopped) return;
      this.health = this.postgres.postmasterPid() === undefined ? unhealthy('postgres is not running') : await this.probe.check();
      this.healthTimer = setTimeout(() => void tick(), HEALTH_INTERVAL_MS);
    };
    void tick();
  }

  /** Called with every rule the topology holds; converges Postgres towards it. */
  onRule(rule: ShardRule | undefined): void {
    if (!rule) return;
    this.rule = rule;
    void this.converge();
  }

  status(): InstanceStatus {
    const health = this.health;
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
      error: this.lastError ?? (health.healthy ? null : health.error),
      checkedAt: new Date().toISOString(),
    };
  }

  /** Stops health checks and, when asked, the Postgres server itself. */
  async stop(stopPostgres: boolean): Promise<void> {
    this.stopped = true;
    if (this.healthTimer) clearTimeout(this.healthTimer);
    this.probe.close();
    if (stopPostgres) await this.postgres.stop('fast');
  }

  /** One convergence at a time; a rule that arrives meanwhile is picked up by the loop. */
  private async converge(): Promise<void> {
    if (this.converging) return;
    this.converging = true;
    try {
      while (!this.stopped && this.rule) {
        const rule = this.rule;
        try {
          await this.convergeTo(rule);
          this.lastError = null;
          if (this.rule === rule) return;
        } catch (error) {
          this.lastError = (error as Error).message;
          this.options.log.warn({ err: this.lastError }, 'converging postgres failed; retrying');
          await sleep(1_000);
        }
      }
    } finally {
      this.converging = false;
    }
  }

  private async convergeTo(rule: ShardRule): Promise<void> {
    const isPrimary = rule.primary === this.instance.name;
    if (!this.postgres.isInitialized()) {
      if (isPrimary) await this.initializePrimary();
      else await this.cloneFrom(rule.primary);
    } else if (!this.postgres.isStandby() && !isPrimary) {
      // A former primary must never serve again under a rule that names another primary.
      this.phase = 'needs-rejoin';
      await this.postgres.stop('fast');
      return;
    }
    this.phase = 'starting';
    this.postgres.configure(this.settings(), isPrimary ? undefined : this.upstreamOf(rule.primary));
    await this.postgres.start();
    this.phase = 'running';
    if (isPrimary && rule.status === 'bootstrapping') await this.establishRule(rule);
  }

  private async initializePrimary(): Promise<void> {
    this.phase = 'initializing';
    this.options.log.info('initializing a new primary (initdb)');
    this.postgres.prepareInstanceDir(this.options.secrets.replicationPassword);
    await this.postgres.initdb(this.options.secrets.superuserPassword);
    this.postgres.configure(this.settings());
    await this.postgres.start();
    await this.withSession(30_000, async (client) => {
      const password = this.options.secrets.replicationPassword.replaceAll("'", "''");
      await client.query(`CREATE ROLE ${REPLICATION_USER} WITH REPLICATION LOGIN PASSWORD '${password}'`);
    });
  }

  private async cloneFrom(primaryName: string): Promise<void> {
    this.phase = 'cloning';
    const upstream = this.upstreamOf(primaryName);
    this.options.log.info({ upstream }, 'cloning a new standby (pg_basebackup)');
    this.postgres.prepareInstanceDir(this.options.secrets.replicationPassword);
    await this.postgres.baseBackup(upstream);
  }

  /**
   * Bootstrap's last step on the primary: turn on the synchronous replication the policy
   * needs, then write the rule with a synchronous commit. Returns once enough standbys have
   * it; only then will the orchestrator let gateways send writes here.
   */
  private async establishRule(rule: ShardRule): Promise<void> {
    await this.withSession(0, async (client) => {
      await client.query(`ALTER SYSTEM SET synchronous_standby_names = '${rule.syncStandbyNames.replaceAll("'", "''")}'`);
      await client.query('SELECT pg_reload_conf()');
      await waitForSyncConfig(client, rule.syncStandbyNames);
      await writeRule(client, rule);
    });
    this.options.log.info({ term: rule.term }, 'rule written durably; primary ready to serve');
  }

  private settings() {
    return {
      instanceName: this.instance.name,
      listenAddress: this.instance.host,
      port: this.instance.port,
      maxWalSenders: this.options.layout.instances.length * 2 + 4,
      parameters: this.options.spec.postgres.parameters,
    };
  }

  private upstreamOf(name: string): { host: string; port: number } {
    const primary = findInstance(this.options.layout, name);
    return { host: primary.host, port: primary.port };
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
    });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}

/** Waits until this backend has reloaded the new synchronous_standby_names. */
async function waitForSyncConfig(client: Client, expected: string): Promise<void> {
  for (;;) {
    const result = await client.query("SELECT current_setting('synchronous_standby_names') AS value");
    if ((result.rows[0] as { value: string }).value === expected) return;
    await sleep(50);
  }
}

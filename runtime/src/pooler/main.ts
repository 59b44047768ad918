/**
 * `polygres pooler`: the process beside one Postgres. It owns that server (bootstrap, start,
 * stop, role), forwards client connections to it, and answers the admin API the
 * orchestrator and the CLI use.
 */
import { RolePasswords } from '../agent/role-passwords';
import { internalCertificate, useInternalTls } from '../admin/admin-tls';
import { openTopoStore } from '../deployment/topo-access';
import { parseBody, startAdminServer } from '../admin/http-server';
import { metricsRoute } from '../observability/service-registry';
import { instrumentTopoStore } from '../observability/topo-metrics';
import { healthRoutes } from '../observability/health-routes';
import { primaryPosition } from './primary-position';
import { ConflictError } from '../util/domain-errors';
import { z } from 'zod';
import { PgBackRest } from '../backup/pgbackrest-runner';
import { backupFilesOf, writeBackupConfig } from '../deployment/backup-files';
import type { ClusterLayout } from '../deployment/layout';
import type { Logger } from '../util/log';
import { hasColocatedGateway, poolerSocketPath } from '../deployment/layout';
import { readLayout } from '../deployment/layout-file';
import { readSecrets } from '../deployment/secrets';
import { loadSpecFile } from '../spec/load';
import { createLogger } from '../util/log';
import { waitFor } from '../util/net';
import { onShutdown } from '../util/shutdown';
import { handOverPrimary, handsOverOnStop } from './hand-over';
import { ScramAuthenticator, TrustAuthenticator } from '../session/client-auth';
import { PoolerServer } from './pooler-server';
import { pauseRoutes } from './pause-switch';
import { serverConnectionShares } from './connection-shares';
import { poolOptionsOf } from './pool-options';
import { loadSqlParser } from '../sql/parser';
import type { ClusterSpec } from '../spec/schema';
import type { EstablishRuleRequest } from '../agent/consensus-messages';
import { applySyncSchema, establishRuleSchema, followSchema, promoteSchema, recruitSchema } from '../agent/consensus-schemas';
import { NodeAgent } from '../agent/node-agent';
import { VerifierReader } from './verifier-reader';
import { rotatePostgresLog } from '../postgres/postgres-log-rotation';
import { echoPostgresLog } from '../postgres/postgres-log-echo';

export async function runPooler(options: { layoutFile: string; instance: string }): Promise<void> {
  const layout = readLayout(options.layoutFile);
  useInternalTls(layout);
  const { spec } = loadSpecFile(layout.specFile);
  const secrets = readSecrets(layout.secretsFile);
  const log = createLogger('pooler', { instance: options.instance });
  // The pooler renders pgBackRest's configuration itself: wherever it runs, its Postgres'
  // archive_command and its backups need it (`polygres up` writes it too, for the local target).
  writeBackupConfig(layout, spec);
  const backups = backupRunner(layout, spec, log);
  const agent = new NodeAgent({ layout, spec, instanceName: options.instance, secrets, log, ...(backups ? { backups: backups.runner } : {}) });
  const { instance } = agent;

  await loadSqlParser();
  /** This instance's Postgres, through its private socket. */
  const postgresTarget = { socketDir: instance.socketDir, port: instance.port };
  const verifiers = new VerifierReader(postgresTarget);
  const { lookup } = verifiers;
  // The pooler's own socket lives in Postgres' private socket directory.
  agent.postgres.prepareSocketDir();
  // Internal TLS: gateways' links come over it; Postgres reads its files again on a reload.
  const internalTls = internalCertificate(log);
  internalTls?.onChange(() => void reloadPostgresTls(agent, log));
  const pooler = new PoolerServer({
    ...(internalTls ? { tls: internalTls } : {}),
    host: instance.host,
    port: instance.poolerPort,
    socketPath: poolerSocketPath(instance),
    pool: poolOptionsOf(spec, postgresTarget),
    connectionLimit: serverConnectionShares(spec, hasColocatedGateway(layout, instance)).pooler,
    authenticator: spec.gateway.auth.method === 'trust' ? new TrustAuthenticator() : new ScramAuthenticator(lookup),
    linkToken: secrets.adminToken,
    limits: spec.gateway.limits,
    log,
  });
  await pooler.listen();
  const passwords = new RolePasswords({ secretsFile: layout.secretsFile, initial: secrets, socket: postgresTarget, useSecrets: (next) => agent.useSecrets(next), log });
  passwords.watch();
  agent.onServingPrimary = () => {
    backups?.ensureStanza();
    passwords.onServingPrimary();
  };
  agent.onRecruited = () => pooler.turnAwayWaiters();
  const backupsOrRefuse = (): PgBackRest => {
    if (!backups) throw new ConflictError('the ClusterSpec has no backup section');
    return backups.runner;
  };
  const { store: topo, registry: etcdMetrics } = instrumentTopoStore(openTopoStore(layout), 'pooler');
  const admin = await startAdminServer({
    log,
    host: instance.host,
    port: instance.adminPort,
    token: secrets.adminToken,
    publicRoutes: {
      ...metricsRoute(pooler.metrics.registry, etcdMetrics),
      ...healthRoutes({ status: () => agent.status(), rule: () => agent.currentRule, primaryLsn: primaryPosition(layout, secrets.adminToken) }),
    },
    routes: {
      'GET /v1/status': () => agent.status(),
      'POST /v1/verifier': async (body) => ({ stored: (await lookup(String((body as { user?: unknown })?.user ?? ''))) ?? null }),
      'POST /v1/backup': (body) => backupsOrRefuse().backup(parseBody(backupRequestSchema, body).type),
      'GET /v1/backups': () => backupsOrRefuse().info(),
      'GET /v1/backup-progress': async () => ({ percent: await backupsOrRefuse().progress() }),
      'POST /v1/verify': async () => ({ report: await backupsOrRefuse().verify() }),
      'GET /v1/pools': () => ({ pools: pooler.poolStats(), sessions: pooler.sessionCount, pinned: Object.fromEntries(pooler.pinCounts()) }),
      'POST /v1/recruit': (body) => agent.recruit(parseBody(recruitSchema, body)),
      'POST /v1/promote': (body) => agent.promote(parseBody(promoteSchema, body)),
      'POST /v1/establish-rule': (body) => agent.establishRule(parseBody(establishRuleSchema, body) as EstablishRuleRequest),
      'POST /v1/follow': (body) => agent.follow(parseBody(followSchema, body)),
      'POST /v1/apply-sync': (body) => agent.applySync(parseBody(applySyncSchema, body)),
      // Maintenance (polygres reload, restart, reinit, apply): the spec file is read again.
      'POST /v1/reload': () => {
        const current = loadSpecFile(layout.specFile).spec;
        // The layout too: instances added or removed since this pooler started are in pgBackRest's list.
        writeBackupConfig(readLayout(options.layoutFile), current);
        pooler.reconfigure(poolOptionsOf(current, postgresTarget), current.gateway.limits);
        return agent.reloadConfiguration(current);
      },
      'POST /v1/restart': () => agent.restartPostgres(),
      ...pauseRoutes(pooler.pauses),
      'POST /v1/reinit': async () => {
        await agent.reinitialize();
        return { ok: true };
      },
    },
  });
  agent.start();
  const logRotation = rotatePostgresLog(agent.postgres, log);
  const logEcho = layout.kubernetes ? echoPostgresLog(agent.postgres.logFile, createLogger('postgres', { instance: options.instance })) : undefined;
  // etcd may still be starting: keep trying until the first watch is established.
  const watcher = await waitFor('etcd', () => topo.watchRule((rule) => agent.onRule(rule)), { timeoutMs: Infinity, intervalMs: 300 });
  log.info({ poolerPort: instance.poolerPort, adminPort: instance.adminPort }, 'pooler listening');

  onShutdown(log, async () => {
    if (handsOverOnStop()) await handOverPrimary({ topo, instance: instance.name, layout, adminToken: secrets.adminToken, log });
    logRotation.stop();
    internalTls?.stop();
    passwords.stop();
    pooler.close();
    verifiers.close();
    admin.close();
    await watcher.cancel().catch(() => undefined);
    topo.close();
    await agent.stop(true);
    logEcho?.stop();
  });
}

/** A renewed internal certificate reaches Postgres at a reload (new connections get it). */
async function reloadPostgresTls(agent: NodeAgent, log: Logger): Promise<void> {
  if (agent.postgres.postmasterPid() === undefined) return;
  await agent.postgres.reload().catch((error: unknown) => log.warn({ err: (error as Error).message }, 'could not reload postgres for its renewed certificate'));
}

const backupRequestSchema = z.object({ type: z.enum(['full', 'diff', 'incr']).default('full') }).strict();

/** pgBackRest for this cluster, and the stanza created once this node serves as primary. */
function backupRunner(layout: ClusterLayout, spec: ClusterSpec, log: Logger): { runner: PgBackRest; ensureStanza: () => void } | undefined {
  const files = backupFilesOf(layout, spec);
  if (!files) return undefined;
  const runner = new PgBackRest(files.configFile, files.stanza, layout.postgresUser);
  let state: 'missing' | 'creating' | 'created' = 'missing';
  const ensureStanza = () => {
    if (state !== 'missing') return;
    state = 'creating';
    runner.stanzaCreate().then(
      () => {
        state = 'created';
        log.info({ stanza: files.stanza }, 'pgBackRest stanza ready');
      },
      (error: unknown) => {
        state = 'missing';
        log.warn({ err: (error as Error).message }, 'pgBackRest stanza-create failed; will retry');
      },
    );
  };
  return { runner, ensureStanza };
}

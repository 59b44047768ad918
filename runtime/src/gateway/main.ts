/**
 * `polygres gateway`: the zone's entry point for applications — TLS, SCRAM, session state,
 * routing to the primary (or, on the replica port, a replica) and failover buffering.
 */
import { readFileSync } from 'node:fs';
import { useInternalTls } from '../admin/admin-tls';
import { openTopoStore } from '../deployment/topo-access';
import { startAdminServer } from '../admin/http-server';
import { metricsRoute } from '../observability/service-registry';
import { instrumentTopoStore } from '../observability/topo-metrics';
import { pauseRoutes } from '../pooler/pause-switch';
import { colocatedInstances, serviceDirOf } from '../deployment/layout';
import { readLayout } from '../deployment/layout-file';
import { createViewBuilder } from '../status-page/build-view';
import { statusPageRoutes } from '../status-page/status-page-routes';
import { ViewStream } from '../status-page/view-stream';
import { readServiceSecrets } from '../deployment/secrets';
import { tlsFilesFor } from '../deployment/tls-material';
import { ReloadingTls } from '../tls/reloading-tls';
import { ScramAuthenticator, TrustAuthenticator } from '../session/client-auth';
import { loadSqlParser } from '../sql/parser';
import { loadSpecFile } from '../spec/load';
import type { ClusterSpec } from '../spec/schema';
import { createLogger } from '../util/log';
import { waitFor } from '../util/net';
import { onShutdown } from '../util/shutdown';
import { GatewayServer } from './gateway-server';
import { cancelTargets, GatewayProcesses } from './cancel-routing';
import type { Endpoint } from './pooler-endpoint';
import { PrimaryTracker } from './primary-tracker';
import { ReplicaSelector } from './replica-selector';
import { LocalFirstVerifiers, PoolerVerifiers } from './verifier-client';
import { ColocatedPools } from './colocated-pools';
import { serverConnectionShares } from '../pooler/connection-shares';
import { poolOptionsOf } from '../pooler/pool-options';
import { VerifierReader } from '../pooler/verifier-reader';

export async function runGateway(options: { layoutFile: string; zone: string }): Promise<void> {
  const layout = readLayout(options.layoutFile);
  useInternalTls(layout);
  const index = layout.gateways.findIndex((gateway) => gateway.zone === options.zone);
  const me = layout.gateways[index];
  if (!me) throw new Error(`no gateway for zone "${options.zone}" in the layout`);
  const { spec } = loadSpecFile(layout.specFile);
  const secrets = readServiceSecrets(layout.secretsFile);
  const log = createLogger('gateway', { zone: me.zone });
  await loadSqlParser();
  const { store: topo, registry: etcdMetrics } = instrumentTopoStore(openTopoStore(layout), 'gateway');
  // The tracker tells the gateway about new primaries; the gateway routes with the tracker.
  const onPrimary: { change: (primary: Endpoint | undefined) => void } = { change: () => undefined };
  const tracker = new PrimaryTracker(topo, (primary) => onPrimary.change(primary), (error) => log.warn({ err: (error as Error).message }, "cannot look up the primary's pooler; asking etcd again"));
  const replicas = new ReplicaSelector(topo, {
    zone: me.zone,
    maxLagBytes: spec.gateway.replicaReads.maxLagBytes,
    adminToken: secrets.adminToken,
    primary: () => tracker.primary,
  });
  const tlsFiles = tlsFilesFor(spec, serviceDirOf(layout));
  const tls = tlsFiles ? new ReloadingTls(tlsFiles, (certificate) => gateway.metrics.certificateExpires(certificate), log) : undefined;

  // The Postgres of this zone's instances on this host is served from the gateway's own pools.
  const colocated = colocatedInstances(layout, me);
  const colocatedPoolOptions = (from: ClusterSpec) => new Map(colocated.map((instance) => [instance.name, poolOptionsOf(from, { socketDir: instance.socketDir, port: instance.port })]));
  const pools = new ColocatedPools(
    colocatedPoolOptions(spec),
    serverConnectionShares(spec, colocated.length > 0).gateway,
    log,
  );

  // Where logins read verifiers: this host's Postgres when the zone has one here, else the poolers.
  const verifierLookup = () => {
    const poolers = new PoolerVerifiers(() => topo.listInstances(), me.zone, secrets.adminToken, log).lookup;
    const here = colocated[0];
    return here ? new LocalFirstVerifiers(new VerifierReader({ socketDir: here.socketDir, port: here.port }).lookup, poolers).lookup : poolers;
  };

  // On Kubernetes a zone's gateway runs as several pods behind one Service: each registers its
  // own address (the pod's, POLYGRES_POD_IP) so cancels reach the one holding the session.
  const self = { zone: me.zone, address: process.env.POLYGRES_POD_IP || me.host, port: me.port };
  const processes = new GatewayProcesses(topo, self, log);
  const cancelRouting = { self, index, zones: layout.gateways };
  const gateway = new GatewayServer({
    host: me.host,
    port: me.port,
    replicaPort: me.replicaPort,
    index,
    cancelTargets: (owner, from) => cancelTargets(cancelRouting, owner, from, processes.list()),
    replicas,
    routing: {
      primary: { current: () => tracker.primary, endpoint: (timeoutMs) => tracker.waitForPrimary(timeoutMs) },
      replica: { current: () => replicas.current(), endpoint: async (timeoutMs) => replicas.current() ?? tracker.waitForPrimary(timeoutMs) },
    },
    authenticator:
      spec.gateway.auth.method === 'trust' ? new TrustAuthenticator() : new ScramAuthenticator(verifierLookup()),
    linkToken: secrets.adminToken,
    ...(layout.internalTls ? { linkTls: { ca: readFileSync(layout.internalTls.caFile, 'utf8') } } : {}),
    colocated: pools,
    ...(tls ? { tls } : {}),
    tlsRequired: spec.gateway.tls.required,
    limits: spec.gateway.limits,
    statementCacheSize: spec.pooler.preparedStatementCacheSize,
    bufferWindowMs: spec.gateway.failoverBuffer.windowMs,
    bufferMaxQueued: spec.gateway.failoverBuffer.maxQueued,
    log,
  });
  onPrimary.change = (primary) => gateway.primaryChanged(primary);
  if (tls) {
    gateway.metrics.certificateExpires(tls.certificate);
    tls.watch();
  }
  await gateway.listen();
  // The live status page: built here because the gateway holds the admin token and the topology store.
  let backupsConfigured = spec.backup !== undefined;
  const statusView = new ViewStream(
    createViewBuilder({
      layout: () => {
        try {
          return readLayout(options.layoutFile);
        } catch {
          return layout; // being rewritten by polygres apply: the one read at start will do for a second
        }
      },
      adminToken: secrets.adminToken,
      topo,
      backupsConfigured: () => backupsConfigured,
    }),
    { onError: (error) => log.warn({ err: error.message }, 'status page: the view could not be computed') },
  );
  const metrics = await startAdminServer({
    log,
    host: me.host,
    port: me.metricsPort,
    token: secrets.adminToken,
    routes: {
      'GET /v1/pools': () => ({ pools: pools.stats(), sessions: gateway.sessionCount, pinned: Object.fromEntries(gateway.pinCounts()) }),
      ...pauseRoutes(pools.pauses),
      // polygres apply: the settings a gateway takes without a restart, from the spec file again.
      'POST /v1/reload': () => {
        const next = loadSpecFile(layout.specFile).spec;
        pools.reconfigure(colocatedPoolOptions(next));
        gateway.limits.reconfigure(next.gateway.limits);
        replicas.maxLagBytes = next.gateway.replicaReads.maxLagBytes;
        backupsConfigured = next.backup !== undefined;
        return { ok: true };
      },
    },
    publicRoutes: { ...metricsRoute(gateway.metrics.registry, etcdMetrics), ...statusPageRoutes(statusView) },
  });
  const watcher = await waitFor('etcd', () => topo.watchRule((rule) => void tracker.onRule(rule)), { timeoutMs: Infinity, intervalMs: 300 });
  replicas.start();
  processes.start();
  log.info({ port: me.port, replicaPort: me.replicaPort, metricsPort: me.metricsPort, tls: tls !== undefined, colocated: colocated.map((instance) => instance.name) }, 'gateway listening');

  onShutdown(log, async () => {
    gateway.close();
    statusView.close();
    metrics.close();
    replicas.stop();
    await processes.stop();
    await watcher.cancel().catch(() => undefined);
    topo.close();
  });
}

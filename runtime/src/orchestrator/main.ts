/**
 * `polygres orchestrator`: registers the topology, bootstraps the first rule, runs the
 * detection loop and serves the admin API. One runs per zone; terms and compare-and-swap make
 * their races safe.
 */
import { useInternalTls } from '../admin/admin-tls';
import { openTopoStore } from '../deployment/topo-access';
import { collectClusterStatus } from './cluster-status';
import { startAdminServer } from '../admin/http-server';
import { createServiceRegistry, metricsRoute } from '../observability/service-registry';
import { ProblemMetrics, actionCounter, registerClusterMetrics } from './metrics/orchestrator-metrics';
import { instrumentTopoStore } from '../observability/topo-metrics';
import { callAdmin } from '../admin/http-client';
import type { BackupRecord } from '../backup/pgbackrest-runner';
import { poolerSocketPath } from '../deployment/layout';
import { readLayout } from '../deployment/layout-file';
import type { ClusterLayout } from '../deployment/layout';
import type { Snapshot } from './snapshot';
import { readServiceSecrets } from '../deployment/secrets';
import { loadSpecFile } from '../spec/load';
import { createLogger } from '../util/log';
import { waitFor } from '../util/net';
import { onShutdown } from '../util/shutdown';
import { adminRoutes } from './admin-routes';
import { ensureRule } from './bootstrap';
import type { OrchestratorContext } from './context';
import { OrchestratorLoop } from './loop';
import { PoolerClient } from './pooler-client';
import { OrchestratorPeers } from './orchestrator-peers';
import { KubernetesApi } from '../kubernetes/api-client';
import { RollingUpdates } from './rolling-update/driver';

export async function runOrchestrator(options: { layoutFile: string; name: string }): Promise<void> {
  const layout = readLayout(options.layoutFile);
  useInternalTls(layout);
  const me = layout.orchestrators.find((candidate) => candidate.name === options.name);
  if (!me) throw new Error(`orchestrator "${options.name}" is not in the layout`);
  const { spec } = loadSpecFile(layout.specFile);
  const secrets = readServiceSecrets(layout.secretsFile);
  const log = createLogger('orchestrator', { name: me.name });
  const metrics = createServiceRegistry('orchestrator');
  const { store: topo, registry: etcdMetrics } = instrumentTopoStore(openTopoStore(layout), 'orchestrator');
  const peers = new OrchestratorPeers(layout, me.name, secrets.adminToken);
  const context: OrchestratorContext = { layout, spec, me, topo, poolers: new PoolerClient(layout, secrets.adminToken), peers, log, actions: actionCounter(metrics) };
  const problemMetrics = new ProblemMetrics(metrics);
  const loop = new OrchestratorLoop(context, (problems) => problemMetrics.observe(problems));
  registerClusterMetrics(metrics, {
    snapshot: () => loop.lastSnapshot,
    history: () => topo.listHistory(),
    backups: repositoryBackups(layout, secrets.adminToken, () => loop.lastSnapshot),
    zoneOf: new Map(layout.instances.map((instance) => [instance.name, instance.zone])),
  });

  const admin = await startAdminServer({
    log,
    host: me.host,
    port: me.adminPort,
    token: secrets.adminToken,
    publicRoutes: metricsRoute(metrics, etcdMetrics),
    routes: {
      'GET /v1/status': async () => ({
        ...(await collectClusterStatus(layout, secrets.adminToken, (await topo.getRule())?.value)),
        orchestrator: me.name,
      }),
      ...adminRoutes(context, loop),
    },
  });

  await waitFor('etcd', async () => {
    for (const instance of layout.instances) {
      const { name, zone, host, port, poolerPort, adminPort } = instance;
      await topo.putInstance({ name, zone, host, port, poolerPort, adminPort, poolerSocket: poolerSocketPath(instance) });
    }
    // The registry follows the layout: an instance removed from the cluster leaves it too.
    for (const record of await topo.listInstances()) if (!layout.instances.some((instance) => instance.name === record.name)) await topo.deleteInstance(record.name);
    for (const { zone, host, port, replicaPort } of layout.gateways) await topo.putGateway({ zone, host, port, replicaPort });
    await ensureRule(topo, spec, me.name, log);
    return true;
  }, { timeoutMs: Infinity, intervalMs: 300 });
  log.info({ adminPort: me.adminPort }, 'orchestrator ready');

  const api = layout.kubernetes ? KubernetesApi.inCluster() : undefined;
  const rollingUpdates = api && layout.kubernetes ? new RollingUpdates(context, loop, api, { ...layout.kubernetes.instanceSelector }) : undefined;
  if (layout.kubernetes && !api) log.warn('no Kubernetes service account token mounted: instance pods will not be rolled on updates');
  void rollingUpdates?.run();

  onShutdown(log, async () => {
    rollingUpdates?.stop();
    loop.stop();
    admin.close();
    topo.close();
  });
  await loop.run();
}

/**
 * The repository's backups, read through a healthy instance's pooler (pgBackRest info takes
 * about half a second, so one answer serves a minute of scrapes).
 */
function repositoryBackups(layout: ClusterLayout, token: string, snapshot: () => Snapshot | undefined): () => Promise<readonly BackupRecord[] | undefined> {
  const REUSE_MS = 60_000;
  let last: { at: number; backups: Promise<readonly BackupRecord[] | undefined> } | undefined;
  return () => {
    if (last && Date.now() - last.at < REUSE_MS) return last.backups;
    const healthy = [...(snapshot()?.statuses.values() ?? [])].find((status) => status?.healthy);
    const instance = layout.instances.find((candidate) => candidate.name === healthy?.instance);
    const backups = instance
      ? callAdmin<{ backups: BackupRecord[] }>({ host: instance.host, port: instance.adminPort, token, path: '/v1/backups', timeoutMs: 10_000 }).then((info) => info.backups, () => undefined)
      : Promise.resolve(undefined);
    last = { at: Date.now(), backups };
    return backups;
  };
}

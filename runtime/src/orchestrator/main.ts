/**
 * `polygres orchestrator`: registers the topology, bootstraps the first rule, runs the
 * detection loop and serves the admin API. One runs per zone; terms and compare-and-swap make
 * their races safe.
 */
import { openTopoStore } from '../deployment/topo-access';
import { collectClusterStatus } from './cluster-status';
import { startAdminServer } from '../admin/http-server';
import { createServiceRegistry, metricsRoute } from '../observability/service-registry';
import { poolerSocketPath } from '../deployment/layout';
import { readLayout } from '../deployment/layout-file';
import { readSecrets } from '../deployment/secrets';
import { loadSpecFile } from '../spec/load';
import { createLogger } from '../util/log';
import { waitFor } from '../util/net';
import { onShutdown } from '../util/shutdown';
import { adminRoutes } from './admin-routes';
import { ensureRule } from './bootstrap';
import type { OrchestratorContext } from './context';
import { OrchestratorLoop } from './loop';
import { PoolerClient } from './pooler-client';

export async function runOrchestrator(options: { layoutFile: string; name: string }): Promise<void> {
  const layout = readLayout(options.layoutFile);
  const me = layout.orchestrators.find((candidate) => candidate.name === options.name);
  if (!me) throw new Error(`orchestrator "${options.name}" is not in the layout`);
  const { spec } = loadSpecFile(layout.specFile);
  const secrets = readSecrets(layout.secretsFile);
  const log = createLogger('orchestrator', { name: me.name });
  const topo = openTopoStore(layout);
  const context: OrchestratorContext = { layout, spec, me, topo, poolers: new PoolerClient(layout, secrets.adminToken), log };
  const loop = new OrchestratorLoop(context);
  const metrics = createServiceRegistry('orchestrator');

  const admin = await startAdminServer({
    host: me.host,
    port: me.adminPort,
    token: secrets.adminToken,
    publicRoutes: metricsRoute(metrics),
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

  onShutdown(log, async () => {
    loop.stop();
    admin.close();
    topo.close();
  });
  await loop.run();
}

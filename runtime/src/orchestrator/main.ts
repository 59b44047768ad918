/**
 * `polygres orchestrator`: registers the topology, bootstraps the first rule, watches the
 * instances and serves the admin API. One runs per zone; terms and compare-and-swap make
 * their races safe.
 */
import { collectClusterStatus, fetchInstanceStatus } from '../admin/cluster-status';
import { startAdminServer } from '../admin/http-server';
import { etcdEndpoint } from '../local/layout';
import { readLayout } from '../local/layout-file';
import { readSecrets } from '../local/secrets';
import { loadSpecFile } from '../spec/load';
import { TopoStore } from '../topo/topo-store';
import { createLogger } from '../util/log';
import { sleep, waitFor } from '../util/net';
import { onShutdown } from '../util/shutdown';
import { completeBootstrap, ensureRule } from './bootstrap';

const LOOP_INTERVAL_MS = 500;

export async function runOrchestrator(options: { layoutFile: string; name: string }): Promise<void> {
  const layout = readLayout(options.layoutFile);
  const me = layout.orchestrators.find((candidate) => candidate.name === options.name);
  if (!me) throw new Error(`orchestrator "${options.name}" is not in the layout`);
  const { spec } = loadSpecFile(layout.specFile);
  const secrets = readSecrets(layout.secretsFile);
  const log = createLogger('orchestrator', { name: me.name });
  const topo = new TopoStore({ endpoints: [etcdEndpoint(layout)], cluster: layout.cluster });

  const admin = await startAdminServer({
    host: me.host,
    port: me.adminPort,
    token: secrets.adminToken,
    routes: {
      'GET /v1/status': async () => collectClusterStatus(layout, secrets.adminToken, (await topo.getRule())?.value),
    },
  });

  await waitFor('etcd', async () => {
    for (const instance of layout.instances) {
      const { name, zone, host, port, poolerPort, adminPort } = instance;
      await topo.putInstance({ name, zone, host, port, poolerPort, adminPort });
    }
    for (const { zone, host, port, replicaPort } of layout.gateways) await topo.putGateway({ zone, host, port, replicaPort });
    await ensureRule(topo, spec, me.name, log);
    return true;
  }, { timeoutMs: Infinity, intervalMs: 300 });
  log.info({ adminPort: me.adminPort }, 'orchestrator ready');

  let running = true;
  onShutdown(log, async () => {
    running = false;
    admin.close();
    topo.close();
  });
  while (running) {
    try {
      await completeBootstrap(topo, (name) => fetchInstanceStatus(layout, secrets.adminToken, name), me.name, log);
    } catch (error) {
      log.warn({ err: (error as Error).message }, 'orchestrator loop failed');
    }
    await sleep(LOOP_INTERVAL_MS);
  }
}

/**
 * `polygres pooler`: the process beside one Postgres. It owns that server (bootstrap, start,
 * stop, role), forwards client connections to it, and answers the admin API the
 * orchestrator and the CLI use.
 */
import { startAdminServer } from '../admin/http-server';
import { etcdEndpoint } from '../local/layout';
import { readLayout } from '../local/layout-file';
import { readSecrets } from '../local/secrets';
import { loadSpecFile } from '../spec/load';
import { TopoStore } from '../topo/topo-store';
import { createLogger } from '../util/log';
import { waitFor } from '../util/net';
import { onShutdown } from '../util/shutdown';
import { startByteProxy } from './byte-proxy';
import type { ApplySyncRequest, EstablishRuleRequest, FollowRequest, PromoteRequest, RecruitRequest } from './consensus-messages';
import { NodeAgent } from './node-agent';

export async function runPooler(options: { layoutFile: string; instance: string }): Promise<void> {
  const layout = readLayout(options.layoutFile);
  const { spec } = loadSpecFile(layout.specFile);
  const secrets = readSecrets(layout.secretsFile);
  const log = createLogger('pooler', { instance: options.instance });
  const agent = new NodeAgent({ layout, spec, instanceName: options.instance, secrets, log });
  const { instance } = agent;

  const proxy = await startByteProxy({ host: instance.host, port: instance.poolerPort }, { host: instance.host, port: instance.port });
  const admin = await startAdminServer({
    host: instance.host,
    port: instance.adminPort,
    token: secrets.adminToken,
    routes: {
      'GET /v1/status': () => agent.status(),
      'POST /v1/recruit': (body) => agent.recruit(body as RecruitRequest),
      'POST /v1/promote': (body) => agent.promote(body as PromoteRequest),
      'POST /v1/establish-rule': (body) => agent.establishRule(body as EstablishRuleRequest),
      'POST /v1/follow': (body) => agent.follow(body as FollowRequest),
      'POST /v1/apply-sync': (body) => agent.applySync(body as ApplySyncRequest),
    },
  });
  agent.start();
  const topo = new TopoStore({ endpoints: [etcdEndpoint(layout)], cluster: layout.cluster });
  // etcd may still be starting: keep trying until the first watch is established.
  const watcher = await waitFor('etcd', () => topo.watchRule((rule) => agent.onRule(rule)), { timeoutMs: Infinity, intervalMs: 300 });
  log.info({ poolerPort: instance.poolerPort, adminPort: instance.adminPort }, 'pooler listening');

  onShutdown(log, async () => {
    proxy.close();
    admin.close();
    await watcher.cancel().catch(() => undefined);
    topo.close();
    await agent.stop(true);
  });
}

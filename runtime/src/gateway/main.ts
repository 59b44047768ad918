/**
 * `polygres gateway`: the zone's entry point for applications. In the foundation it forwards
 * each connection to the primary's pooler; the gateway issue gives it the protocol, session
 * state and routing behind the same port.
 */
import { connect, createServer, type Socket } from 'node:net';
import { etcdEndpoint } from '../local/layout';
import { readLayout } from '../local/layout-file';
import { SqlState } from '../protocol/constants';
import { loadSpecFile } from '../spec/load';
import { TopoStore } from '../topo/topo-store';
import { createLogger } from '../util/log';
import { waitFor } from '../util/net';
import { pipeSockets } from '../util/pipe-sockets';
import { onShutdown } from '../util/shutdown';
import { PrimaryTracker } from './primary-tracker';
import { refuseConnection } from './refuse-connection';

export async function runGateway(options: { layoutFile: string; zone: string }): Promise<void> {
  const layout = readLayout(options.layoutFile);
  const me = layout.gateways.find((gateway) => gateway.zone === options.zone);
  if (!me) throw new Error(`no gateway for zone "${options.zone}" in the layout`);
  const { spec } = loadSpecFile(layout.specFile);
  const log = createLogger('gateway', { zone: me.zone });
  const topo = new TopoStore({ endpoints: [etcdEndpoint(layout)], cluster: layout.cluster });
  // Connections routed to a primary that lost its role are cut at once, so clients reconnect
  // (and wait for the new primary here) instead of hanging on a fenced server.
  const routed = new Map<Socket, string>();
  const tracker = new PrimaryTracker(topo, (primary) => {
    for (const [client, instance] of routed) if (instance !== primary?.instance) client.destroy();
  });
  const waitMs = spec.gateway.failoverBuffer.windowMs;

  const server = createServer((client) => {
    client.on('error', () => client.destroy());
    client.pause();
    void tracker.waitForPrimary(waitMs).then((primary) => {
      if (!primary) {
        refuseConnection(client, {
          code: SqlState.cannotConnectNow,
          message: 'the cluster has no primary accepting connections',
          hint: 'the cluster is starting or failing over; run `polygres status` and retry',
        });
      } else {
        routed.set(client, primary.instance);
        client.once('close', () => routed.delete(client));
        pipeSockets(client, primary.socket ? connect({ path: primary.socket }) : connect({ host: primary.host, port: primary.port }));
      }
      client.resume();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(me.port, me.host, resolve);
  });
  const watcher = await waitFor('etcd', () => topo.watchRule((rule) => void tracker.onRule(rule)), { timeoutMs: Infinity, intervalMs: 300 });
  log.info({ port: me.port }, 'gateway listening');

  onShutdown(log, async () => {
    server.close();
    await watcher.cancel().catch(() => undefined);
    topo.close();
  });
}

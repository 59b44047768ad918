/**
 * `polygres dashboard`: where the live status page is. Every gateway serves it on its HTTP
 * port; the ones on this machine come first (the nearest to open), then the rest in the
 * layout's order. The page is read-only and needs no token, so the URLs carry none.
 */
import { hostname, networkInterfaces } from 'node:os';
import { isIPv6 } from 'node:net';
import type { Command } from 'commander';
import type { ClusterLayout } from '../deployment/layout';
import { readLayoutOfStateDir } from '../deployment/layout-file';
import { isListening } from '../util/net';
import { clusterStateDir } from './resolve-state-dir';

export interface DashboardPage {
  readonly zone: string;
  readonly url: string;
  /** The gateway runs on this machine. */
  readonly local: boolean;
}

/** Each gateway's page URL, those whose host is this machine first (a stable order otherwise). */
export function dashboardPages(layout: ClusterLayout, localHosts: ReadonlySet<string>): DashboardPage[] {
  const pages = layout.gateways.map((gateway) => ({
    zone: gateway.zone,
    url: `http://${isIPv6(gateway.host) ? `[${gateway.host}]` : gateway.host}:${gateway.metricsPort}/`,
    local: localHosts.has(gateway.host),
  }));
  return [...pages.filter((page) => page.local), ...pages.filter((page) => !page.local)];
}

/** The names and addresses this machine answers to. */
export function localHosts(): Set<string> {
  const addresses = Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((entry) => entry.address));
  return new Set(['localhost', hostname(), '127.0.0.1', '::1', ...addresses]);
}

export function addDashboardCommand(program: Command, out: (line: string) => void): void {
  program
    .command('dashboard')
    .description("print the URL of the live status page on each gateway (read-only, no token needed), this machine's first")
    .option('--state-dir <dir>', 'state directory of the cluster')
    .option('--json', 'print JSON')
    .action(async (options: { stateDir?: string; json?: boolean }) => {
      const layout = readLayoutOfStateDir(clusterStateDir(options.stateDir));
      const gateways = new Map(layout.gateways.map((gateway) => [gateway.zone, gateway]));
      const pages = await Promise.all(dashboardPages(layout, localHosts()).map(async (page) => {
        const gateway = gateways.get(page.zone)!;
        return { ...page, answering: await isListening(gateway.host, gateway.metricsPort) };
      }));
      if (options.json) out(JSON.stringify({ cluster: layout.cluster, pages }, null, 2));
      else {
        out(`Live status page of cluster "${layout.cluster}" (read-only, no token needed), on every gateway:`);
        const width = Math.max(...pages.map((page) => page.zone.length));
        for (const page of pages) out(`  ${page.zone.padEnd(width)}  ${page.url}${page.answering ? '' : '  (not answering)'}`);
      }
      if (!pages.some((page) => page.answering)) throw new Error(`no gateway of cluster "${layout.cluster}" answers; is it running? (polygres status)`);
    });
}

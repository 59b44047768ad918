/**
 * A cluster's live state and its orchestrators' admin API, whichever way the cluster is
 * named: a local state directory (layout and token from there), or `http://host:port` of its
 * orchestrators (several comma-separated; the token from the provider block), for a cluster
 * this machine did not start.
 */
import { ProviderError } from '../protocol/diagnostics';
import { providerSettings } from '../service/provider-config';
import { runtime } from '../runtime/runtime';
import { allProcessesRunning, hasCluster, openCluster } from './local-cluster';
import { setTimeout as sleep } from 'node:timers/promises';

export type ClusterStatus = import('@polygres/runtime').ClusterStatus;
type OrchestratorRequest = import('@polygres/runtime').OrchestratorRequest;

export interface ClusterConnection {
  /** Normalized cluster ID: absolute state directory, or the endpoints as given. */
  readonly id: string;
  status(): Promise<ClusterStatus>;
  /** Calls the admin API, retrying while another rule change holds the orchestrators (409). */
  call<T>(request: OrchestratorRequest): Promise<T>;
  /** Instances and their zones, for checks at plan time. */
  instances(): Promise<readonly { name: string; zone: string }[]>;
  /** Local: every supervised process runs. Endpoint: every instance healthy, every gateway listening. */
  running(): Promise<boolean>;
}

export const isEndpoint = (clusterId: string): boolean => /^https?:\/\//.test(clusterId);

/** Whether the cluster can be talked to at all: a local one needs its state directory. */
export const clusterKnown = (clusterId: string): boolean => isEndpoint(clusterId) || hasCluster(clusterId);

// A 409 means another change of the rule (a switchover, a policy change, an election) is
// under way; Terraform applies independent resources in parallel, so wait for it and retry.
const CONFLICT_RETRY_MS = 120_000;

export function connectCluster(clusterId: string, attribute: string): ClusterConnection {
  const orchestrators = isEndpoint(clusterId) ? endpointOrchestrators(clusterId, attribute) : undefined;
  if (!orchestrators) {
    const cluster = openCluster(clusterId, attribute);
    return {
      id: cluster.stateDir,
      status: () => runtime().local.localClusterStatus(cluster.stateDir),
      call: (request) => retryConflicts(() => runtime().admin.callOrchestrator(cluster.layout, request)),
      instances: async () => cluster.layout.instances,
      running: async () => allProcessesRunning(cluster.layout),
    };
  }
  const token = providerSettings.adminToken;
  if (!token) throw new ProviderError('no admin token for a cluster given by endpoint', 'fix: set admin_token in the provider "polygres" block (or POLYGRES_ADMIN_TOKEN)', [attribute]);
  const call = <T>(request: OrchestratorRequest) => runtime().admin.callAnyOrchestrator<T>(orchestrators, token, request);
  const status = () => call<ClusterStatus>({ method: 'GET', path: '/v1/status', timeoutMs: 10_000 });
  return {
    id: clusterId,
    status,
    call: (request) => retryConflicts(() => call(request)),
    instances: async () => (await status()).instances,
    running: async () => {
      const live = await status().catch(() => undefined);
      return live !== undefined && live.instances.every((i) => i.healthy) && live.gateways.every((g) => g.listening);
    },
  };
}

/** Polls the status until `accept` holds: apply returns only once the change is in force. */
export function waitForStatus(cluster: ClusterConnection, what: string, accept: (status: ClusterStatus) => boolean, timeoutMs = 120_000): Promise<ClusterStatus> {
  return runtime().net.waitFor(what, async () => {
    const status = await cluster.status();
    return accept(status) ? status : undefined;
  }, { timeoutMs, intervalMs: 250 });
}

function endpointOrchestrators(clusterId: string, attribute: string): { name: string; host: string; adminPort: number }[] {
  return clusterId.split(',').map((text) => {
    const url = new URL(text.trim());
    if (url.protocol !== 'http:' || !url.port || (url.pathname !== '/' && url.pathname !== '')) {
      throw new ProviderError(`"${text}" is not an orchestrator endpoint`, 'fix: give http://host:port of each orchestrator\'s admin API, separated by commas', [attribute]);
    }
    return { name: url.host, host: url.hostname, adminPort: Number(url.port) };
  });
}

async function retryConflicts<T>(run: () => Promise<T>): Promise<T> {
  const { AdminCallError } = runtime().admin;
  const deadline = Date.now() + CONFLICT_RETRY_MS;
  for (;;) {
    try {
      return await run();
    } catch (error) {
      if (!(error instanceof AdminCallError && error.status === 409) || Date.now() > deadline) throw error;
      await sleep(500);
    }
  }
}

/**
 * polygres_cluster given by `endpoint`: a running cluster this machine did not start,
 * registered and watched through its orchestrators' admin API. Terraform can change its
 * day-2 state (policy, primary) but not its processes: a cluster that stops answering, or
 * answers unhealthy, is drift that apply reports instead of repairing.
 */
import { type ClusterStatus, connectCluster } from '../local/cluster-connection';
import { ProviderError } from '../protocol/diagnostics';
import type { State } from '../schema/values';

export const hasEndpoint = (state: State): boolean => typeof state.endpoint === 'string';

export async function registerCluster(planned: State): Promise<State> {
  const endpoint = String(planned.endpoint);
  const cluster = connectCluster(endpoint, 'endpoint');
  const status = await cluster.status().catch((error: Error) => {
    throw new ProviderError(`the cluster at ${endpoint} does not answer`, error.message, ['endpoint']);
  });
  if (planned.running !== false && !(await cluster.running())) {
    throw new ProviderError(`the cluster at ${endpoint} is not healthy`, unhealthy(status), ['endpoint']);
  }
  return { ...planned, ...observed(endpoint, status), running: planned.running !== false };
}

export async function readRegisteredCluster(state: State): Promise<State> {
  const endpoint = String(state.endpoint);
  const cluster = connectCluster(endpoint, 'endpoint');
  const status = await cluster.status().catch(() => undefined);
  // Not answering is drift (running = false), not an error: the plan shows it.
  if (!status) return { ...state, running: false };
  return { ...state, ...observed(endpoint, status), running: await cluster.running() };
}

export async function updateRegisteredCluster(planned: State): Promise<State> {
  const endpoint = String(planned.endpoint);
  const cluster = connectCluster(endpoint, 'endpoint');
  const running = await cluster.running();
  if (planned.running !== false && !running) {
    const status = await cluster.status().catch((error: Error) => error);
    throw new ProviderError(
      `the cluster at ${endpoint} is not healthy, and Terraform does not run its processes`,
      `${status instanceof Error ? status.message : unhealthy(status)}\nfix: restore it where it runs (polygres status there), then apply again`,
      ['running'],
    );
  }
  if (planned.running === false && running) throw new ProviderError('a cluster given by endpoint cannot be stopped from Terraform', 'fix: remove running = false', ['running']);
  return planned;
}

export async function importRegisteredCluster(endpoint: string): Promise<State> {
  return readRegisteredCluster({ endpoint, spec_json: null, state_dir: null, base_port: null, running: null });
}

function observed(endpoint: string, status: ClusterStatus): State {
  return {
    id: endpoint,
    name: status.cluster,
    connection_url: null,
    superuser_password: null,
    gateways: status.gateways.map((g) => ({ zone: g.zone, host: g.host, port: g.port, replica_port: g.replicaPort })),
  };
}

function unhealthy(status: ClusterStatus): string {
  const instances = status.instances.filter((i) => !i.healthy).map((i) => `instance ${i.name}: ${i.error ?? i.phase}`);
  const gateways = status.gateways.filter((g) => !g.listening).map((g) => `gateway ${g.zone} (${g.host}:${g.port}) not listening`);
  return [...instances, ...gateways, ...status.problems].join('\n') || 'see polygres status';
}

/**
 * polygres_cluster, local target: a whole supervised cluster from a ClusterSpec. Create is
 * `polygres up --detach`, delete `polygres down --purge`, read looks at the state directory
 * (gone, processes dead, spec changed: each is drift), import takes the state directory.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type Diagnostic, ProviderError } from '../protocol/diagnostics';
import { type LocalCluster, allProcessesRunning, hasCluster, openCluster } from '../local/local-cluster';
import { polygresOrThrow } from '../local/polygres-cli';
import { runtime } from '../runtime/runtime';
import type { Value } from '../msgpack/value';
import type { BlockSchema } from '../schema/types';
import { type State, sameValue } from '../schema/values';
import type { ManagedResource, PlannedChange } from './resource';
import { hasEndpoint, importRegisteredCluster, readRegisteredCluster, registerCluster, updateRegisteredCluster } from './registered-cluster';
import { checkSpecJson, validSpec } from './spec-diagnostics';

const DEFAULT_BASE_PORT = 15432;

type ClusterSpec = import('@polygres/runtime').ClusterSpec;

export const clusterSchema: BlockSchema = {
  typeName: 'polygres_cluster',
  description:
    'A whole Polygres cluster from a ClusterSpec, run on this machine as supervised processes (the local target): etcd, a Postgres and a pooler per instance, a gateway and an orchestrator per zone. Create runs `polygres up --detach`, destroy `polygres down --purge`. Processes that died, or a spec in the state directory that differs, show as drift in the next plan. The durability policy in the spec is the one the cluster starts with; change it live with `polygres_durability_policy`. With `endpoint` instead, it registers a cluster that runs elsewhere, whose policy and primary the other resources then manage through its admin API.',
  version: 0,
  example: `resource "polygres_cluster" "main" {
  state_dir = "/var/lib/polygres/orders"
  base_port = 15432
  spec_json = jsonencode({
    apiVersion = "polygres.dev/v1"
    name       = "orders"
    zones      = [{ name = "zone-a" }, { name = "zone-b" }, { name = "zone-c" }]
    instances  = [{ name = "a0", zone = "zone-a" }, { name = "b0", zone = "zone-b" }, { name = "c0", zone = "zone-c" }]
    durability = { policy = "atLeast", n = 2 }
  })
}`,
  importId: 'the state directory of the cluster, e.g. `terraform import polygres_cluster.main /var/lib/polygres/orders`',
  attributes: [
    { name: 'id', type: 'string', computed: true, description: 'The absolute state directory (or the endpoint); other resources take it as `cluster_id`.' },
    { name: 'spec_json', type: 'string', optional: true, requiresReplace: true, description: 'The ClusterSpec (apiVersion `polygres.dev/v1`) as JSON, usually `jsonencode({...})`; with `state_dir`, for a cluster run on this machine. Validated at plan time with the runtime\'s rules. A change the running cluster can take (Postgres parameters, the policy, instances and zones joining or leaving, pool sizes and client limits, backup retention) is applied in place with `polygres apply` — the plan warns what each change costs (reload, rolling restart, instances restored from the latest backup); one it cannot take (name, repositories, settings read once at start) re-creates the cluster, and the plan warns why. Equivalent JSON (defaults spelled out) is no change.' },
    { name: 'state_dir', type: 'string', optional: true, requiresReplace: true, description: 'Directory holding the cluster\'s data, logs, layout and secrets (`polygres up --state-dir`); with `spec_json`.' },
    { name: 'endpoint', type: 'string', optional: true, requiresReplace: true, description: 'Instead of `spec_json` and `state_dir`: `http://host:port` of the admin API of a running cluster\'s orchestrators (several comma-separated), to register it; its token is the provider\'s `admin_token`. Terraform then manages its policy and primary, not its processes; destroying the resource only forgets it.' },
    { name: 'base_port', type: 'number', optional: true, computed: true, default: DEFAULT_BASE_PORT, requiresReplace: true, description: 'First port of the block the cluster uses; the first zone\'s gateway listens on it.' },
    { name: 'running', type: 'bool', optional: true, computed: true, default: true, description: 'Whether every process of the cluster runs. A cluster found with dead processes plans `false -> true` and apply restarts it (data kept); `false` stops it.' },
    { name: 'name', type: 'string', computed: true, description: 'The cluster name from the spec.' },
    { name: 'connection_url', type: 'string', computed: true, sensitive: true, description: 'libpq URL of the first zone\'s gateway, as the superuser.' },
    { name: 'superuser_password', type: 'string', computed: true, sensitive: true, description: 'Generated password of the `postgres` superuser.' },
    {
      name: 'gateways',
      type: { list: { object: { zone: 'string', host: 'string', port: 'number', replica_port: 'number' } } },
      computed: true,
      description: 'One gateway per zone: its address, and the port that routes reads to replicas.',
    },
  ],
};

export const clusterResource: ManagedResource = {
  schema: clusterSchema,

  validate(config) {
    const diagnostics: Diagnostic[] = [...targetProblems(config)];
    const spec = config.spec_json;
    if (typeof spec === 'string') diagnostics.push(...checkSpecJson(spec, 'spec_json').diagnostics);
    const port = config.base_port;
    if (typeof port === 'number' && (!Number.isInteger(port) || port < 1024 || port > 65535)) {
      diagnostics.push({ severity: 'error', summary: 'base_port must be an integer from 1024 to 65535', attribute: ['base_port'] });
    }
    return diagnostics;
  },

  modifyPlan({ prior, planned, config, inPlace }: PlannedChange) {
    if (typeof planned.endpoint === 'string') {
      planned.id = planned.endpoint;
      // Ports are the local target's; a registered cluster has its own.
      if (config.base_port === null) planned.base_port = null;
      return [];
    }
    // Equivalent specs (key order, spelled-out defaults, an imported spec) are no change.
    if (prior && typeof prior.spec_json === 'string' && typeof planned.spec_json === 'string') {
      if (equivalentSpecs(prior.spec_json, planned.spec_json)) planned.spec_json = prior.spec_json;
      else return planSpecChange(prior.spec_json, planned.spec_json, inPlace);
    }
    return [];
  },

  async create(planned) {
    if (hasEndpoint(planned)) return registerCluster(planned);
    const stateDir = resolve(String(planned.state_dir));
    const { spec } = validSpec(String(planned.spec_json), 'spec_json');
    const specDir = mkdtempSync(join(tmpdir(), 'polygres-provider-'));
    try {
      const specFile = join(specDir, 'spec.json');
      writeFileSync(specFile, JSON.stringify(spec));
      await polygresOrThrow('starting the cluster', ['up', '--detach', '--spec', specFile, '--state-dir', stateDir, '--base-port', String(planned.base_port)]);
    } finally {
      rmSync(specDir, { recursive: true, force: true });
    }
    return { ...planned, ...computedAttributes(openCluster(stateDir, 'state_dir')), running: true };
  },

  async read(state) {
    if (hasEndpoint(state)) return readRegisteredCluster(state);
    const stateDir = resolve(String(state.state_dir));
    if (!hasCluster(stateDir)) return null;
    const cluster = openCluster(stateDir, 'state_dir');
    const recorded = typeof state.spec_json === 'string' ? state.spec_json : '';
    // The spec the cluster actually runs; a different one there is drift (re-create).
    const specJson = recorded && equivalentSpecs(recorded, JSON.stringify(cluster.spec)) ? recorded : JSON.stringify(cluster.spec);
    return {
      ...state,
      ...computedAttributes(cluster),
      spec_json: specJson,
      base_port: cluster.layout.basePort,
      running: allProcessesRunning(cluster.layout),
    };
  },

  async update(prior, planned) {
    if (hasEndpoint(planned)) return updateRegisteredCluster(planned);
    const stateDir = resolve(String(planned.state_dir));
    const specChanged = typeof prior.spec_json === 'string' && typeof planned.spec_json === 'string' && !equivalentSpecs(prior.spec_json, planned.spec_json);
    // `running`: stop, and start again (with the spec it has) unless asked to stay stopped.
    if (prior.running !== planned.running || !specChanged) {
      await polygresOrThrow('stopping the cluster', ['down', '--state-dir', stateDir]);
      if (planned.running !== false) await polygresOrThrow('starting the cluster', ['up', '--detach', '--state-dir', stateDir]);
    }
    if (specChanged) {
      if (planned.running === false) throw new ProviderError('spec_json changes a running cluster in place', 'fix: keep running = true for this apply, then stop it', ['running']);
      await applySpec(stateDir, String(planned.spec_json));
    }
    return { ...prior, ...planned, ...computedAttributes(openCluster(stateDir, 'state_dir')), running: planned.running !== false };
  },

  async delete(prior) {
    if (hasEndpoint(prior)) return;
    await polygresOrThrow('destroying the cluster', ['down', '--purge', '--yes', '--state-dir', resolve(String(prior.state_dir))]);
  },

  async importState(id) {
    if (/^https?:\/\//.test(id)) return importRegisteredCluster(id);
    const cluster = openCluster(id, 'id');
    return {
      state_dir: cluster.stateDir,
      spec_json: JSON.stringify(cluster.spec),
      base_port: cluster.layout.basePort,
      running: allProcessesRunning(cluster.layout),
      ...computedAttributes(cluster),
    };
  },
};

/**
 * A spec change the running cluster can take is planned in place (polygres apply), with a
 * warning that says what each change costs; one it cannot take re-creates the cluster, and the
 * warning says why — its data goes with it.
 */
function planSpecChange(priorJson: string, plannedJson: string, inPlace: Set<string>): Diagnostic[] {
  const prior = checkSpecJson(priorJson, 'spec_json');
  const planned = checkSpecJson(plannedJson, 'spec_json');
  if (!prior.ok || !planned.ok) return [];
  const { specChanges, describeChange } = runtime().spec;
  const changes = specChanges(comparableSpec(prior.validated.spec), comparableSpec(planned.validated.spec));
  const refused = changes.filter((change) => change.effect === 'refused');
  if (refused.length > 0) {
    return [{ severity: 'warning', summary: 'spec_json: this change re-creates the cluster, and its data with it', detail: `A running cluster cannot take:\n${refused.map((change) => `  ${describeChange(change)}`).join('\n')}`, attribute: ['spec_json'] }];
  }
  inPlace.add('spec_json');
  return [{ severity: 'warning', summary: 'spec_json: applied in place to the running cluster (polygres apply)', detail: changes.map((change) => describeChange(change)).join('\n'), attribute: ['spec_json'] }];
}

async function applySpec(stateDir: string, specJson: string): Promise<void> {
  const { spec } = validSpec(specJson, 'spec_json');
  const specDir = mkdtempSync(join(tmpdir(), 'polygres-provider-'));
  try {
    const specFile = join(specDir, 'spec.json');
    writeFileSync(specFile, JSON.stringify(spec));
    // terraform apply has asked already.
    await polygresOrThrow('applying the new spec', ['apply', '--spec', specFile, '--yes', '--state-dir', stateDir]);
  } finally {
    rmSync(specDir, { recursive: true, force: true });
  }
}

/** Exactly one target: a spec run here (spec_json and state_dir), or a running cluster's endpoint. */
function targetProblems(config: State): Diagnostic[] {
  const given = (name: string) => config[name] !== null;
  if (given('endpoint') && (given('spec_json') || given('state_dir'))) {
    return [{ severity: 'error', summary: 'endpoint: give either endpoint or spec_json and state_dir', detail: 'fix: endpoint registers a running cluster; spec_json and state_dir run one on this machine', attribute: ['endpoint'] }];
  }
  if (!given('endpoint')) {
    return ['spec_json', 'state_dir'].filter((name) => !given(name)).map((name) => ({ severity: 'error' as const, summary: `${name} is required to run a cluster on this machine`, detail: 'fix: set spec_json and state_dir, or endpoint for a cluster that runs elsewhere', attribute: [name] }));
  }
  return [];
}

function computedAttributes(cluster: LocalCluster): State {
  const { layout } = cluster;
  const first = layout.gateways[0];
  return {
    id: cluster.stateDir,
    name: layout.cluster,
    superuser_password: cluster.superuserPassword,
    connection_url: first ? runtime().local.connectionUrl(first, cluster.superuserPassword) : '',
    gateways: layout.gateways.map((g) => ({ zone: g.zone, host: g.host, port: g.port, replica_port: g.replicaPort })),
  };
}

/**
 * Same cluster after validation and defaults, whatever the JSON spelling. The backup
 * schedule is left out: polygres_backup_schedule changes it on the running cluster, as
 * polygres_durability_policy does the policy (which lives in the rule, not in the spec file).
 */
function equivalentSpecs(a: string, b: string): boolean {
  if (a === b) return true;
  const left = checkSpecJson(a, 'spec_json');
  const right = checkSpecJson(b, 'spec_json');
  return left.ok && right.ok && sameValue(comparable(left.validated.spec), comparable(right.validated.spec));
}

function comparable(spec: ClusterSpec): Value {
  return comparableSpec(spec) as unknown as Value;
}

function comparableSpec(spec: ClusterSpec): ClusterSpec {
  const copy = JSON.parse(JSON.stringify(spec)) as ClusterSpec;
  if (copy.backup) delete (copy.backup as { schedule?: unknown }).schedule;
  return copy;
}

/**
 * polygres_durability_policy: the live durability policy of a cluster. An update is the
 * orchestrator's safe transition (both configurations in force until the new quorum holds
 * everything written; nothing restarts); apply waits until status shows the new policy.
 */
import { UNKNOWN } from '../msgpack/value';
import { type Diagnostic, ProviderError } from '../protocol/diagnostics';
import { type ClusterConnection, clusterKnown, connectCluster, waitForStatus } from '../local/cluster-connection';
import { runtime } from '../runtime/runtime';
import type { BlockSchema } from '../schema/types';
import { type State, sameValue } from '../schema/values';
import { CLUSTER_ID, ID_SAME_AS_CLUSTER } from './cluster-attributes';
import type { ManagedResource } from './resource';

type PolicySpec = import('@polygres/runtime').DurabilityPolicySpec;

export const durabilityPolicySchema: BlockSchema = {
  typeName: 'polygres_durability_policy',
  description:
    'The live durability policy of a cluster. Changing it is an in-place update that the orchestrator performs safely while writes continue: both configurations stay in force until the new quorum holds everything written so far, nothing restarts. Apply returns once status shows the new policy. Destroying this resource leaves the policy as it is.',
  version: 0,
  example: `resource "polygres_durability_policy" "main" {
  cluster_id = polygres_cluster.main.id
  policy     = "multiZone"
  n          = 2
}`,
  importId: 'the cluster\'s state directory (its `polygres_cluster` id)',
  attributes: [
    ID_SAME_AS_CLUSTER,
    CLUSTER_ID,
    { name: 'policy', type: 'string', required: true, description: '`atLeast` (a commit waits for n nodes, primary included), `multiZone` (n nodes spanning at least two zones), `surviveZoneFailure` or `none` (asynchronous, development only).' },
    { name: 'n', type: 'number', optional: true, description: 'Number of nodes, for `atLeast` (at least 1) and `multiZone` (at least 2); leave it out for the others.' },
    { name: 'synchronous_standby_names', type: 'string', computed: true, description: 'What the primary\'s `synchronous_standby_names` became, empty when asynchronous.' },
  ],
};

export const durabilityPolicyResource: ManagedResource = {
  schema: durabilityPolicySchema,

  validate(config) {
    if (typeof config.policy !== 'string' || (config.n !== null && typeof config.n !== 'number')) return [];
    return policyShapeProblems(policyFrom(config));
  },

  async modifyPlan({ prior, planned }) {
    const diagnostics: Diagnostic[] = [];
    if (typeof planned.cluster_id === 'string' && typeof planned.policy === 'string' && clusterKnown(planned.cluster_id)) {
      const cluster = connectCluster(planned.cluster_id, 'cluster_id');
      const { policyFor } = runtime().policies;
      const shape = policyShapeProblems(policyFrom(planned));
      diagnostics.push(...shape);
      if (shape.length === 0) {
        for (const finding of policyFor(policyFrom(planned)).check(await cluster.instances())) {
          diagnostics.push({ severity: finding.severity === 'error' ? 'error' : 'warning', summary: `policy: ${finding.message}`, detail: `fix: ${finding.fix}`, attribute: ['policy'] });
        }
      }
    }
    if (planned.id === UNKNOWN || !prior || !sameValue(prior.policy ?? null, planned.policy ?? null) || !sameValue(prior.n ?? null, planned.n ?? null)) {
      planned.id = typeof planned.cluster_id === 'string' ? planned.cluster_id : UNKNOWN;
      planned.synchronous_standby_names = UNKNOWN;
    }
    return diagnostics;
  },

  create: (planned) => applyPolicy(planned),
  update: (_prior, planned) => applyPolicy(planned),

  async read(state) {
    if (!clusterKnown(String(state.cluster_id))) return null;
    return { ...state, ...(await livePolicy(connectCluster(String(state.cluster_id), 'cluster_id'))) };
  },

  // The cluster keeps the policy it has: there is no "no policy" to return to.
  async delete() {},

  async importState(id) {
    const cluster = connectCluster(id, 'id');
    return { cluster_id: cluster.id, ...(await livePolicy(cluster)) };
  },
};

async function applyPolicy(planned: State): Promise<State> {
  const cluster = connectCluster(String(planned.cluster_id), 'cluster_id');
  const target = policyFrom(planned);
  const described = runtime().policies.policyFor(target).describe();
  // Already in force (a create over the spec's own policy, say): a change would only take a new term.
  if ((await cluster.status()).policy !== described) {
    await cluster.call({ method: 'POST', path: '/v1/durability', body: { durability: target }, timeoutMs: 180_000 }).catch((error: Error) => {
      throw new ProviderError(`changing the durability policy to ${described} failed`, error.message, ['policy']);
    });
  }
  const status = await waitForStatus(cluster, `policy ${described} in force`, (s) => s.policy === described && s.ruleStatus === 'serving');
  return { ...planned, id: cluster.id, synchronous_standby_names: status.syncStandbyNames ?? '' };
}

async function livePolicy(cluster: ClusterConnection): Promise<State> {
  const status = await cluster.status();
  if (!status.policy) throw new ProviderError(`cluster ${status.cluster} has no rule yet`, 'its orchestrators have not bootstrapped it; check polygres status');
  const spec = runtime().policies.parsePolicyArgument(status.policy);
  return { id: cluster.id, policy: spec.policy, n: 'n' in spec ? spec.n : null, synchronous_standby_names: status.syncStandbyNames ?? '' };
}

function policyFrom(state: State): PolicySpec {
  const policy = String(state.policy);
  return (typeof state.n === 'number' ? { policy, n: state.n } : { policy }) as PolicySpec;
}

/** The spec's own rules for the policy's shape (names, n), each at its attribute. */
function policyShapeProblems(policy: PolicySpec): Diagnostic[] {
  const parsed = runtime().spec.durabilitySchema.safeParse(policy);
  if (parsed.success) return [];
  return parsed.error.issues.map((issue) => {
    const field = issue.path[0] === 'n' || (issue.code === 'unrecognized_keys' && issue.keys.includes('n')) ? 'n' : 'policy';
    const message = issue.code === 'unrecognized_keys' ? `${policy.policy} takes no n` : issue.code === 'invalid_union' ? `"${policy.policy}" is not a policy` : issue.message;
    const fix = issue.code === 'invalid_union' ? 'use atLeast, multiZone, surviveZoneFailure or none' : field === 'n' ? 'give n as the policy needs it (atLeast: n ≥ 1, multiZone: n ≥ 2, others: no n)' : 'correct the policy';
    return { severity: 'error' as const, summary: `${field}: ${message}`, detail: `fix: ${fix}`, attribute: [field] };
  });
}

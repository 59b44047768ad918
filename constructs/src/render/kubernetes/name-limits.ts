/**
 * Kubernetes limits on the names the renderer derives: Services are DNS labels of at most 63
 * characters, and a StatefulSet's name must leave room in 63 for the `-<hash>` of its
 * controller-revision label (52). Cluster and zone names that fit the ClusterSpec can still
 * exceed these when joined, so synth checks the joined names.
 */
import type { ClusterDeclaration } from '../../model/cluster-declaration';
import type { DeclarationProblem } from '../../model/problem';
import { ClusterNames } from './naming';

const SERVICE_MAX = 63;
const STATEFUL_SET_MAX = 52;

export function kubernetesNameProblems(declaration: ClusterDeclaration): DeclarationProblem[] {
  const names = new ClusterNames(declaration.name, declaration.kubernetes?.namespace ?? declaration.name, 'cluster.local');
  const problems: DeclarationProblem[] = [];
  const limit = (prop: string, name: string, max: number, what: string) => {
    if (name.length <= max) return;
    problems.push({
      severity: 'error',
      prop,
      message: `the ${what} name "${name}" is ${name.length} characters long; Kubernetes allows ${max}`,
      fix: `shorten clusterName ("${declaration.name}") or the zone name by ${name.length - max} characters`,
    });
  };
  limit('clusterName', names.etcd(), STATEFUL_SET_MAX, 'etcd StatefulSet');
  declaration.zones.forEach((zone, index) => {
    const prop = `zones[${index}].name`;
    for (const instance of zone.instanceNames().slice(-1)) limit(prop, names.instance(instance), STATEFUL_SET_MAX, 'instance StatefulSet');
    limit(prop, names.orchestrator(zone.name), SERVICE_MAX, 'orchestrator Service');
    limit(prop, names.gateway(zone.name), SERVICE_MAX, 'gateway Service');
    if (!/^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)$/.test(zone.labelValue)) {
      problems.push({ severity: 'error', prop: `zones[${index}].labelValue`, message: `"${zone.labelValue}" is not a valid Kubernetes label value`, fix: 'use at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit' });
    }
  });
  return problems;
}

/**
 * Services as a cluster serves them: each ClusterIP Service's ports routed to its ready
 * endpoints (all matching pods with `publish_not_ready_addresses`), and the names cluster DNS
 * answers — a Service's name gives its ClusterIP, or for a headless Service its endpoints'
 * addresses; a StatefulSet pod whose subdomain names a headless Service has its own name.
 * Without a DNS server in the sandbox, the names go into each pod's /etc/hosts (with the
 * short forms the pod's search path would complete), beside the pod's own name and host
 * aliases, as the kubelet writes that file.
 */
import { matches } from './cluster-objects';
import type { ServiceRoute } from './pod-network';
import type { Pod } from './pod-runner';
import type { Json } from './terraform-values';

export interface ServiceState {
  readonly body: Json;
  readonly clusterIp: string | undefined;
}

export function serviceRoutes(services: Iterable<ServiceState>, pods: readonly Pod[]): ServiceRoute[] {
  const routes: ServiceRoute[] = [];
  for (const service of services) {
    if (!service.clusterIp) continue;
    const members = endpoints(service.body, pods);
    for (const port of service.body.spec.port ?? []) {
      routes.push({
        clusterIp: service.clusterIp,
        port: Number(port.port),
        endpoints: members.map((pod) => ({ ip: pod.address!.ip, port: targetPort(port, pod) })),
      });
    }
  }
  return routes;
}

/** name → addresses, every name fully qualified (`<svc>.<ns>.svc.cluster.local`). */
export function clusterNames(services: Iterable<ServiceState>, pods: readonly Pod[], namespace: string): Map<string, string[]> {
  const names = new Map<string, string[]>();
  const add = (name: string, ip: string): void => {
    names.set(name, [...(names.get(name) ?? []), ip]);
  };
  for (const service of services) {
    const fqdn = `${service.body.metadata.name}.${namespace}.svc.cluster.local`;
    if (service.clusterIp) {
      add(fqdn, service.clusterIp);
      continue;
    }
    for (const pod of endpoints(service.body, pods)) {
      add(fqdn, pod.address!.ip);
      if (pod.subdomain === service.body.metadata.name) add(`${pod.hostname}.${fqdn}`, pod.address!.ip);
    }
  }
  return names;
}

/** The pod's /etc/hosts: localhost, its own name, its host aliases, then the cluster's names. */
export function hostsFile(pod: Pod, names: Map<string, string[]>, namespace: string, external: Record<string, string> = {}): string {
  const lines = ['127.0.0.1\tlocalhost', '::1\tlocalhost ip6-localhost ip6-loopback'];
  const own = pod.subdomain ? `${pod.hostname}.${pod.subdomain}.${namespace}.svc.cluster.local\t${pod.hostname}` : pod.hostname;
  lines.push(`${pod.address!.ip}\t${own}`);
  for (const alias of pod.spec.host_aliases ?? []) lines.push(`${alias.ip}\t${alias.hostnames.join(' ')}`);
  // A name the file already gives (the pod's own, a host alias) never reaches cluster DNS.
  const local = new Set(lines.flatMap((line) => line.split(/\s+/).slice(1)));
  const suffix = `.${namespace}.svc.cluster.local`;
  for (const [name, ips] of [...names].sort(([a], [b]) => a.localeCompare(b))) {
    const short = name.slice(0, -suffix.length);
    const forms = [name, `${short}.${namespace}.svc`, `${short}.${namespace}`, short].filter((form) => !local.has(form));
    if (forms.length) for (const ip of ips) lines.push(`${ip}\t${forms.join(' ')}`);
  }
  for (const [name, ip] of Object.entries(external)) if (!local.has(name)) lines.push(`${ip}\t${name}`);
  return lines.join('\n') + '\n';
}

function endpoints(service: Json, pods: readonly Pod[]): Pod[] {
  const publishAll = service.spec.publish_not_ready_addresses === true;
  return pods.filter((pod) => pod.address && !pod.deleting && matches(service.spec.selector, pod.labels) && (publishAll ? pod.phase !== 'Succeeded' && pod.phase !== 'Failed' : pod.ready));
}

function targetPort(port: Json, pod: Pod): number {
  const target = port.target_port ?? port.port;
  if (/^\d+$/.test(String(target))) return Number(target);
  for (const container of pod.spec.container ?? []) {
    const named = (container.port ?? []).find((entry: Json) => entry.name === target);
    if (named) return Number(named.container_port);
  }
  return Number(port.port);
}

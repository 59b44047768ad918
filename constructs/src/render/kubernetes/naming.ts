/**
 * Names, labels and DNS names of everything a cluster renders, in one place so selectors,
 * Services, NetworkPolicies and the layout file cannot disagree.
 */
export type Component = 'postgres' | 'gateway' | 'orchestrator' | 'etcd' | 'bootstrap';

export class ClusterNames {
  constructor(
    readonly cluster: string,
    readonly namespace: string,
    readonly clusterDomain: string,
  ) {}

  /** Labels every resource of the cluster carries. */
  common(): Record<string, string> {
    return { 'app.kubernetes.io/name': 'polygres', 'app.kubernetes.io/instance': this.cluster, 'app.kubernetes.io/managed-by': 'cdktf' };
  }

  /** Labels that select a component's pods (optionally only a zone's, or one instance's). */
  selector(component: Component, extra: { zone?: string; instance?: string } = {}): Record<string, string> {
    return {
      'app.kubernetes.io/name': 'polygres',
      'app.kubernetes.io/instance': this.cluster,
      'app.kubernetes.io/component': component,
      ...(extra.zone ? { 'polygres.dev/zone': extra.zone } : {}),
      ...(extra.instance ? { 'polygres.dev/instance': extra.instance } : {}),
    };
  }

  labels(component: Component, extra: { zone?: string; instance?: string } = {}): Record<string, string> {
    return { ...this.common(), ...this.selector(component, extra) };
  }

  fqdn(service: string): string {
    return `${service}.${this.namespace}.svc.${this.clusterDomain}`;
  }

  instance(name: string): string {
    return `${this.cluster}-${name}`;
  }

  /** DNS name of an instance's pod (its StatefulSet's headless Service publishes it). */
  instanceHost(name: string): string {
    return `${this.instance(name)}-0.${this.fqdn(this.instance(name))}`;
  }

  gateway(zone: string): string {
    return `${this.cluster}-gateway-${zone}`;
  }

  /** The cluster-wide gateway Service. */
  gatewayAll(): string {
    return `${this.cluster}-gateway`;
  }

  orchestrator(zone: string): string {
    return `${this.cluster}-orchestrator-${zone}`;
  }

  etcd(): string {
    return `${this.cluster}-etcd`;
  }

  /** etcd's authority, server and client certificates. */
  etcdTlsSecret(): string {
    return `${this.cluster}-etcd-tls`;
  }

  /** The internal authority and the certificate the services serve to each other. */
  internalTlsSecret(): string {
    return `${this.cluster}-internal-tls`;
  }

  /** Headless Service giving etcd members stable peer names. */
  etcdPeers(): string {
    return `${this.cluster}-etcd-peers`;
  }

  etcdMember(index: number): string {
    return `${this.etcd()}-${index}`;
  }

  etcdPeerUrl(index: number): string {
    return `https://${this.etcdMember(index)}.${this.fqdn(this.etcdPeers())}:2380`;
  }

  config(): string {
    return `${this.cluster}-config`;
  }

  /** Secret with the runtime's secrets.json (superuser, replication, admin token). */
  internalSecret(): string {
    return `${this.cluster}-internal`;
  }

  /** Secret with a secrets.json holding the admin token alone, for gateways and orchestrators. */
  adminSecret(): string {
    return `${this.cluster}-internal-admin`;
  }

  tlsSecret(): string {
    return `${this.cluster}-gateway-tls`;
  }

  userSecret(user: string): string {
    return `${this.cluster}-user-${user.replace(/_/g, '-')}`;
  }

  serviceAccount(): string {
    return `${this.cluster}-runtime`;
  }

  orchestratorServiceAccount(): string {
    return `${this.cluster}-orchestrator`;
  }
}

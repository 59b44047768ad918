/**
 * Who may reach what: clients reach only the gateways; only gateways reach the poolers'
 * client port; only instance pods (poolers, and standbys streaming WAL) reach Postgres;
 * only Polygres pods reach etcd and the admin APIs; Prometheus' namespace reaches each
 * service's HTTP port (its /metrics), and nothing else.
 */
import { NetworkPolicyV1 } from '@cdktf/provider-kubernetes/lib/network-policy-v1';
import type { Construct } from 'constructs';
import type { Component } from './naming';
import { type RenderContext, metadata } from './render-context';
import { HTTP_PORTS, type ScrapedComponent } from './scraping';
import { PORTS } from './settings';

type Peer = { podSelector: { matchLabels: Record<string, string> } } | { namespaceSelector: { matchLabels: Record<string, string> } };
type Rule = { from?: Peer[]; ports: { port: string; protocol: string }[] };

export function renderNetworkPolicies(scope: Construct, context: RenderContext): NetworkPolicyV1[] {
  const { names } = context;
  const from = (...components: Component[]): Peer[] => components.map((component) => ({ podSelector: { matchLabels: names.selector(component) } }));
  const ports = (...numbers: number[]) => numbers.map((port) => ({ port: String(port), protocol: 'TCP' }));
  // Every namespace carries its name in this label (Kubernetes 1.22 and later).
  const prometheus: Peer = { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': context.settings.monitoring.prometheusNamespace } } };
  const scraping = (component: ScrapedComponent): Rule => ({ from: [prometheus], ports: ports(HTTP_PORTS[component].port) });
  const policy = (id: string, component: Component, ingress: Rule[]) =>
    new NetworkPolicyV1(scope, id, {
      metadata: metadata(context, `${names.cluster}-${component}`),
      spec: { podSelector: { matchLabels: names.selector(component) }, policyTypes: ['Ingress'], ingress },
    });
  const gatewayPort = context.spec.gateway.port;
  return [
    policy('netpol-postgres', 'postgres', [
      { from: from('gateway'), ports: ports(PORTS.pooler) },
      { from: from('postgres'), ports: ports(PORTS.postgres) },
      { from: from('gateway', 'orchestrator', 'postgres'), ports: ports(PORTS.poolerAdmin) },
      scraping('postgres'),
    ]),
    policy('netpol-etcd', 'etcd', [
      { from: from('postgres', 'gateway', 'orchestrator'), ports: ports(PORTS.etcdClient) },
      { from: from('etcd'), ports: ports(PORTS.etcdClient, PORTS.etcdPeer) },
    ]),
    policy('netpol-orchestrator', 'orchestrator', [
      { from: from('orchestrator', 'gateway', 'postgres'), ports: ports(PORTS.orchestratorAdmin) },
      scraping('orchestrator'),
    ]),
    // Clients come from anywhere the Services are exposed to; Prometheus' rule keeps scraping
    // working should this one be narrowed.
    policy('netpol-gateway', 'gateway', [{ ports: ports(gatewayPort, gatewayPort + 1, PORTS.gatewayMetrics) }, scraping('gateway')]),
  ];
}

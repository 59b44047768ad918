/**
 * How the Kubernetes target lets Prometheus watch a cluster: scrape annotations on named
 * HTTP ports, NetworkPolicy access for Prometheus' namespace, the pooler's health endpoints as
 * probes, and the optional PodMonitors and PrometheusRule.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseYaml } from '../../scripts/read-yaml';
import { type MonitoringOptions, Target, Zone } from '../src';
import { type Json, type TerraformJson, resourceList, synthCluster } from './synth';

const ALERTS_YAML = join(__dirname, '..', '..', 'deploy', 'prometheus', 'alerts.yml');

function render(monitoring?: MonitoringOptions) {
  return synthCluster({
    zones: [Zone.of('zone-a', { instances: 2 }), Zone.of('zone-b'), Zone.of('zone-c')],
    target: Target.kubernetes({ namespace: 'db', ...(monitoring ? { monitoring } : {}) }),
  }).config;
}

const componentOf = (resource: Json): string => resource.metadata.labels['app.kubernetes.io/component'];
const workloads = (config: TerraformJson, component: string): Json[] =>
  [...resourceList(config, 'kubernetes_stateful_set_v1'), ...resourceList(config, 'kubernetes_deployment_v1')].filter((w) => componentOf(w) === component);
const manifests = (config: TerraformJson, kind: string): Json[] => resourceList(config, 'kubernetes_manifest').map((m) => m.manifest).filter((m) => m.kind === kind);

/** Each service's HTTP port: the gateway's metrics port, the pooler's and the orchestrator's admin port. */
const HTTP = { gateway: { name: 'metrics', port: 9187 }, postgres: { name: 'admin', port: 8008 }, orchestrator: { name: 'admin', port: 8009 } } as const;

describe('Kubernetes monitoring', () => {
  it('annotates every gateway, pooler and orchestrator pod for scraping, on a named container port', () => {
    const config = render();
    for (const [component, http] of Object.entries(HTTP)) {
      const sets = workloads(config, component);
      expect(sets.length, component).toBeGreaterThanOrEqual(3);
      for (const workload of sets) {
        expect(workload.spec.template.metadata.annotations, workload.metadata.name).toMatchObject({
          'prometheus.io/scrape': 'true',
          'prometheus.io/port': String(http.port),
          'prometheus.io/path': '/metrics',
          'prometheus.io/scheme': 'https',
        });
        expect(workload.spec.template.spec.container[0].port).toContainEqual({ name: http.name, container_port: http.port });
      }
    }
    for (const etcd of workloads(config, 'etcd')) expect(etcd.spec.template.metadata.annotations).toBeUndefined();
  });

  it("lets Prometheus' namespace reach each service's HTTP port, and no other port", () => {
    for (const [monitoring, namespace] of [[undefined, 'monitoring'], [{ prometheusNamespace: 'observability' }, 'observability']] as const) {
      const policies = resourceList(render(monitoring), 'kubernetes_network_policy_v1');
      const byComponent = (component: string) => policies.find((p) => p.spec.pod_selector.match_labels['app.kubernetes.io/component'] === component);
      for (const [component, http] of Object.entries(HTTP)) {
        const fromNamespaces = byComponent(component).spec.ingress.filter((rule: Json) => rule.from?.some((peer: Json) => peer.namespace_selector));
        expect(fromNamespaces, component).toEqual([{
          from: [{ namespace_selector: { match_labels: { 'kubernetes.io/metadata.name': namespace } } }],
          ports: [{ port: String(http.port), protocol: 'TCP' }],
        }]);
      }
      expect(JSON.stringify(byComponent('etcd'))).not.toContain('namespace_selector');
    }
  });

  it("probes the pooler on its health endpoints, patiently at start, and the others on their ports", () => {
    const config = render();
    for (const instance of workloads(config, 'postgres')) {
      const pooler = instance.spec.template.spec.container[0];
      expect(pooler.startup_probe.http_get).toEqual({ path: '/liveness', port: '8008', scheme: 'HTTPS' });
      // A new replica restored from a large backup: hours before the pooler is up.
      expect(pooler.startup_probe.period_seconds * pooler.startup_probe.failure_threshold).toBeGreaterThanOrEqual(6 * 3600);
      expect(pooler.readiness_probe.http_get).toEqual({ path: '/readiness', port: '8008', scheme: 'HTTPS' });
      expect(pooler.liveness_probe.http_get).toEqual({ path: '/liveness', port: '8008', scheme: 'HTTPS' });
    }
    for (const gateway of workloads(config, 'gateway')) {
      expect(gateway.spec.template.spec.container[0].liveness_probe.http_get).toEqual({ path: '/metrics', port: '9187', scheme: 'HTTPS' });
    }
    for (const orchestrator of workloads(config, 'orchestrator')) {
      expect(orchestrator.spec.template.spec.container[0].liveness_probe.tcp_socket).toEqual([{ port: '8009' }]);
    }
  });

  it('renders no Prometheus Operator object unless asked to (planning one needs its CRDs)', () => {
    expect(resourceList(render(), 'kubernetes_manifest')).toEqual([]);
    expect(resourceList(render({ prometheusNamespace: 'observability' }), 'kubernetes_manifest')).toEqual([]);
  });

  it('renders a PodMonitor per service that selects its pods and keeps their labels', () => {
    const config = render({ podMonitors: true, labels: { release: 'kube-prometheus-stack' } });
    const monitors = manifests(config, 'PodMonitor');
    expect(monitors.map((m) => m.metadata.name).sort()).toEqual(['orders-gateway', 'orders-orchestrator', 'orders-pooler']);
    expect(manifests(config, 'PrometheusRule')).toEqual([]);
    const [configMap] = resourceList(config, 'kubernetes_config_map_v1');
    for (const monitor of monitors) {
      expect(monitor.apiVersion).toBe('monitoring.coreos.com/v1');
      // In the cluster's namespace, which PodMonitors select pods in by default.
      expect(monitor.metadata).toMatchObject({ namespace: configMap.metadata.namespace, labels: { release: 'kube-prometheus-stack', 'app.kubernetes.io/instance': 'orders' } });
      const component = monitor.spec.selector.matchLabels['app.kubernetes.io/component'] as keyof typeof HTTP;
      expect(monitor.spec.podMetricsEndpoints).toEqual([{ port: HTTP[component].name, path: '/metrics', scheme: 'https', tlsConfig: { insecureSkipVerify: true }, honorLabels: true }]);
      const selected = resourceList(config, 'kubernetes_stateful_set_v1').concat(resourceList(config, 'kubernetes_deployment_v1'))
        .filter((w) => Object.entries(monitor.spec.selector.matchLabels).every(([key, value]) => w.spec.template.metadata.labels[key] === value));
      expect(selected.map(componentOf), monitor.metadata.name).toEqual(selected.map(() => component));
      expect(selected.length).toBe(component === 'postgres' ? 4 : 3);
    }
  });

  it('renders a PrometheusRule holding exactly the rule groups of deploy/prometheus/alerts.yml', () => {
    const config = render({ prometheusRule: true, labels: { release: 'kube-prometheus-stack' } });
    const [rule, ...others] = manifests(config, 'PrometheusRule');
    expect(others).toEqual([]);
    expect(manifests(config, 'PodMonitor')).toEqual([]);
    expect(rule.metadata).toMatchObject({ name: 'orders-alerts', labels: { release: 'kube-prometheus-stack' } });
    const { groups } = parseYaml(readFileSync(ALERTS_YAML, 'utf8')) as { groups: unknown[] };
    expect(rule.spec.groups).toEqual(groups);
  });
});

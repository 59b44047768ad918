/**
 * Prometheus Operator objects, when `monitoring` asks for them: a PodMonitor per service
 * (gateways, poolers, orchestrators) and a PrometheusRule with the alert rules of
 * deploy/prometheus/alerts.yml. Custom resources have no typed resource in the kubernetes
 * provider, so they are `kubernetes_manifest` resources: planning them needs the cluster and
 * the operator's CRDs, which is why they are off by default.
 *
 * PodMonitors rather than ServiceMonitors: each pod is scraped once, by its named container
 * port, whichever Services select it (a gateway is behind its zone's and the cluster-wide one).
 */
import { Manifest } from '@cdktf/provider-kubernetes/lib/manifest';
import type { Construct } from 'constructs';
import { ALERT_RULE_GROUPS } from './alert-rules';
import type { RenderContext } from './render-context';
import { HTTP_PORTS, METRICS_PATH, METRICS_SCHEME, SCRAPED_COMPONENTS, type ScrapedComponent } from './scraping';

const API_VERSION = 'monitoring.coreos.com/v1';

/** PodMonitor names by component: the pooler runs in the `postgres` pods. */
const SERVICE_NAMES: Readonly<Record<ScrapedComponent, string>> = { gateway: 'gateway', postgres: 'pooler', orchestrator: 'orchestrator' };

export function renderMonitoring(scope: Construct, context: RenderContext): Manifest[] {
  const { names, settings } = context;
  const { monitoring } = settings;
  const metadata = (name: string) => ({ name, namespace: context.namespace, labels: { ...names.common(), ...monitoring.labels } });
  const rendered: Manifest[] = [];
  if (monitoring.podMonitors) {
    for (const component of SCRAPED_COMPONENTS) {
      const service = SERVICE_NAMES[component];
      rendered.push(new Manifest(scope, `pod-monitor-${service}`, {
        manifest: {
          apiVersion: API_VERSION,
          kind: 'PodMonitor',
          metadata: metadata(`${names.cluster}-${service}`),
          spec: {
            selector: { matchLabels: names.selector(component) },
            podMetricsEndpoints: [{
              port: HTTP_PORTS[component].name,
              path: METRICS_PATH,
              scheme: METRICS_SCHEME,
              // Pods are scraped by address, which no certificate names: the traffic is
              // encrypted, the source not verified (/metrics holds no secret).
              tlsConfig: { insecureSkipVerify: true },
              // The cluster view's series carry `instance`, the name of a Postgres instance:
              // honoured, it is kept instead of being renamed `exported_instance` and replaced by
              // the pod's address, which the per-instance alerts and panels would then show.
              honorLabels: true,
            }],
          },
        },
      }));
    }
  }
  if (monitoring.prometheusRule) {
    rendered.push(new Manifest(scope, 'prometheus-rule', {
      manifest: {
        apiVersion: API_VERSION,
        kind: 'PrometheusRule',
        metadata: metadata(`${names.cluster}-alerts`),
        spec: { groups: ALERT_RULE_GROUPS },
      },
    }));
  }
  return rendered;
}

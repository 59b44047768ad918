/** How a Kubernetes cluster is watched: the Prometheus Operator objects and who may scrape. */

/**
 * Monitoring of a cluster on Kubernetes (`Target.kubernetes({ monitoring })`). Gateway,
 * pooler and orchestrator pods always carry `prometheus.io/scrape` annotations, and the
 * NetworkPolicies always let `prometheusNamespace` reach their HTTP ports; the Prometheus
 * Operator objects are rendered only when asked for.
 */
export interface MonitoringOptions {
  /**
   * Render a `monitoring.coreos.com/v1` PodMonitor for the gateways, the poolers and the
   * orchestrators (with `honorLabels`, so the `instance` label naming a Postgres instance is
   * kept). Needs the Prometheus Operator's CRDs in the cluster at plan time: it is a
   * `kubernetes_manifest` resource.
   * @default false
   */
  readonly podMonitors?: boolean;
  /**
   * Render a `monitoring.coreos.com/v1` PrometheusRule holding the alert rules of
   * `deploy/prometheus/alerts.yml`. Needs the Prometheus Operator's CRDs at plan time.
   * @default false
   */
  readonly prometheusRule?: boolean;
  /**
   * The namespace Prometheus runs in: the NetworkPolicies let its pods reach the HTTP port of
   * every gateway, pooler and orchestrator (only that port).
   * @default 'monitoring'
   */
  readonly prometheusNamespace?: string;
  /**
   * Labels of the PodMonitors and the PrometheusRule, for the selectors of the Prometheus that
   * should pick them up (kube-prometheus-stack selects `{ release: '<its release name>' }`).
   * @default none
   */
  readonly labels?: { [key: string]: string };
}

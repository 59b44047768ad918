/** Synth-time checks of `Target.kubernetes({ monitoring })`: names Kubernetes would refuse at apply. */
import type { MonitoringOptions } from './monitoring-options';

type Report = (prop: string, message: string, fix: string) => void;

const NAMESPACE = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
/** A label name: an optional DNS subdomain prefix and `/`, then at most 63 characters. */
const LABEL_KEY = /^([a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;

export function checkMonitoring(monitoring: MonitoringOptions | undefined, error: Report, warn: Report): void {
  if (!monitoring) return;
  const namespace = monitoring.prometheusNamespace;
  if (namespace !== undefined && !NAMESPACE.test(namespace)) {
    error('target.monitoring.prometheusNamespace', `"${namespace}" is not a Kubernetes namespace name`, "name the namespace Prometheus runs in, e.g. 'monitoring' (lower-case letters, digits and dashes, at most 63)");
  }
  const labels = Object.entries(monitoring.labels ?? {});
  for (const [key, value] of labels) {
    if (!LABEL_KEY.test(key)) error(`target.monitoring.labels["${key}"]`, `"${key}" is not a Kubernetes label name`, 'use at most 63 letters, digits, "-", "_" or ".", optionally after a DNS prefix and "/", e.g. "release"');
    if (!LABEL_VALUE.test(value)) error(`target.monitoring.labels["${key}"]`, `"${value}" is not a Kubernetes label value`, 'use at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit');
  }
  if (labels.length > 0 && !monitoring.podMonitors && !monitoring.prometheusRule) {
    warn('target.monitoring.labels', 'labels are given, but no PodMonitor or PrometheusRule is rendered to carry them', 'set podMonitors or prometheusRule to true, or remove labels');
  }
}

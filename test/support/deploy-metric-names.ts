/**
 * What the files users import (deploy/prometheus/alerts.yml, deploy/grafana/polygres.json)
 * query, so tests can check it: every expression, and every metric name they read. A
 * live-cluster test checks that each name is exported.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseYaml } from '../../scripts/read-yaml';
import { histogramBaseName, promqlSeriesNames } from './promql-metric-names';

export const DEPLOY = resolve(__dirname, '..', '..', 'deploy');
export const ALERTS_FILE = join(DEPLOY, 'prometheus', 'alerts.yml');
export const ALERTS_TEST_FILE = join(DEPLOY, 'prometheus', 'alerts.test.yml');
export const DASHBOARD_FILE = join(DEPLOY, 'grafana', 'polygres.json');

/** Series Prometheus makes itself for every target: used by the rules, exported by no service. */
export const PROMETHEUS_OWN_SERIES: readonly string[] = ['up'];

export interface AlertRule {
  readonly alert: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
}

export interface Panel {
  readonly id: number;
  readonly type: string;
  readonly title: string;
  readonly datasource?: { type?: string; uid?: string };
  readonly targets?: readonly { expr?: string; refId?: string; datasource?: { type?: string; uid?: string } }[];
  readonly panels?: readonly Panel[];
}

export interface Dashboard {
  readonly schemaVersion: number;
  readonly title: string;
  readonly uid: string;
  readonly panels: readonly Panel[];
  readonly templating: { list: readonly { name: string; type: string; query?: string; datasource?: { uid?: string } }[] };
  readonly annotations: { list: readonly { name: string; expr?: string; datasource?: { type?: string; uid?: string } }[] };
}

export function alertRules(): AlertRule[] {
  const file = parseYaml(readFileSync(ALERTS_FILE, 'utf8')) as { groups: { rules: AlertRule[] }[] };
  return file.groups.flatMap((group) => group.rules);
}

export function readDashboard(): Dashboard {
  return JSON.parse(readFileSync(DASHBOARD_FILE, 'utf8')) as Dashboard;
}

/** Every panel, those inside collapsed rows too. */
export function dashboardPanels(dashboard: Dashboard = readDashboard()): Panel[] {
  return dashboard.panels.flatMap((panel) => [panel, ...(panel.panels ?? [])]);
}

/** The PromQL of every panel target and every annotation query, with its Grafana variables. */
export function dashboardExpressions(dashboard: Dashboard = readDashboard()): string[] {
  return [
    ...dashboardPanels(dashboard).flatMap((panel) => (panel.targets ?? []).map((target) => target.expr ?? '')),
    ...dashboard.annotations.list.flatMap((annotation) => (annotation.expr ? [annotation.expr] : [])),
  ].filter((expr) => expr.trim() !== '');
}

/**
 * Every metric name the dashboard and the alert rules read. A histogram's `_bucket`, `_sum`
 * and `_count` series count as the histogram's own name (as in `# TYPE` lines of /metrics);
 * Prometheus' own `up` is left out.
 */
export function metricNamesUsedByDeployFiles(): Set<string> {
  const expressions = [...alertRules().map((rule) => rule.expr), ...dashboardExpressions()];
  const names = expressions.flatMap(promqlSeriesNames).map(histogramBaseName);
  return new Set(names.filter((name) => !PROMETHEUS_OWN_SERIES.includes(name)));
}

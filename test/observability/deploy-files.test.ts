/**
 * The files users import — deploy/prometheus/alerts.yml and deploy/grafana/polygres.json —
 * checked with Prometheus' own promtool (Debian package `prometheus`): the rules load, their
 * unit tests (alerts.test.yml) pass, and every dashboard query parses.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseYaml } from '../../scripts/read-yaml';
import { ALERTS_FILE, ALERTS_TEST_FILE, alertRules, dashboardExpressions, dashboardPanels, metricNamesUsedByDeployFiles, readDashboard } from '../support/deploy-metric-names';

const scratch = mkdtempSync(join(tmpdir(), 'polygres-deploy-files-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function promtool(args: string[], cwd: string): { status: number | null; output: string } {
  const result = spawnSync('promtool', args, { cwd, encoding: 'utf8', timeout: 60_000 });
  if (result.error) throw new Error(`promtool could not run (${result.error.message}): install the Debian package prometheus (scripts/system-packages.sh)`);
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

interface PromtoolTest {
  name: string;
  alert_rule_test?: { alertname: string; exp_alerts?: unknown[] }[];
}

describe('deploy/prometheus/alerts.yml', () => {
  const rules = alertRules();

  it('loads in promtool', () => {
    const { status, output } = promtool(['check', 'rules', ALERTS_FILE], scratch);
    expect(output, output).toMatch(new RegExp(`SUCCESS: ${rules.length} rules found`));
    expect(status).toBe(0);
  });

  it('passes its unit tests: a healthy cluster fires nothing, each alert fires when it should', () => {
    const { status, output } = promtool(['test', 'rules', ALERTS_TEST_FILE], dirname(ALERTS_TEST_FILE));
    expect(output, output).toContain('SUCCESS');
    expect(status).toBe(0);
  });

  it('has a unit test of every alert: silent on the healthy cluster, firing in a test of its own', () => {
    const { tests } = parseYaml(readFileSync(ALERTS_TEST_FILE, 'utf8')) as { tests: PromtoolTest[] };
    const healthy = tests.find((test) => test.name === 'a healthy cluster fires nothing');
    const names = rules.map((rule) => rule.alert).sort();
    expect(healthy?.alert_rule_test?.filter((check) => (check.exp_alerts ?? []).length === 0).map((check) => check.alertname).sort()).toEqual(names);
    const fired = new Set(tests.flatMap((test) => (test.alert_rule_test ?? []).filter((check) => (check.exp_alerts ?? []).length > 0).map((check) => check.alertname)));
    expect([...fired].sort()).toEqual(names);
  });

  it('gives every alert a severity, a summary, a description of what to do and a pointer to the README', () => {
    const readme = readFileSync(join(dirname(ALERTS_FILE), '..', '..', 'README.md'), 'utf8');
    expect(/^## Monitoring$/m.test(readme), 'README.md has a section Monitoring').toBe(true);
    for (const rule of rules) {
      expect(['critical', 'warning'], rule.alert).toContain(rule.labels?.severity);
      expect(rule.annotations?.summary, rule.alert).toBeTruthy();
      expect(rule.annotations?.description?.length, rule.alert).toBeGreaterThan(80);
      expect(rule.annotations?.runbook, rule.alert).toBe(`README.md#monitoring (${rule.alert})`);
      expect(readme, `README.md explains ${rule.alert}`).toContain(`\`${rule.alert}\``);
    }
  });
});

describe('deploy/grafana/polygres.json', () => {
  const dashboard = readDashboard();
  const panels = dashboardPanels(dashboard);

  it('is a dashboard on a Prometheus data source variable, with the rows of the cluster', () => {
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
    expect(dashboard.uid).toBe('polygres');
    expect(dashboard.templating.list).toContainEqual(expect.objectContaining({ name: 'datasource', type: 'datasource', query: 'prometheus' }));
    expect(panels.filter((panel) => panel.type === 'row').map((panel) => panel.title))
      .toEqual(['Cluster', 'Instances', 'Backups and WAL archiving', 'Gateways', 'Poolers', 'Orchestrators', 'Processes']);
    expect(new Set(panels.map((panel) => panel.id)).size).toBe(panels.length);
  });

  it('gives every panel a query on that data source', () => {
    for (const panel of panels.filter((p) => p.type !== 'row')) {
      expect(panel.datasource, panel.title).toEqual({ type: 'prometheus', uid: '${datasource}' });
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
      for (const target of panel.targets ?? []) {
        expect(target.expr?.trim(), `${panel.title} ${target.refId}`).toBeTruthy();
        expect(target.datasource, panel.title).toEqual({ type: 'prometheus', uid: '${datasource}' });
      }
    }
  });

  it('has only queries promtool parses', () => {
    // Grafana's interval variables become a duration; promtool parses each query as a recording rule.
    const expressions = dashboardExpressions(dashboard).map((expr) => expr.replace(/\$(__rate_interval|__interval|__range)\b/g, '5m'));
    for (const expr of expressions) expect(expr, 'a Grafana variable promtool would not know').not.toContain('$');
    const file = join(scratch, 'dashboard-queries.yml');
    const rules = expressions.map((expr, index) => ({ record: `dashboard:query_${index}`, expr }));
    writeFileSync(file, JSON.stringify({ groups: [{ name: 'dashboard', rules }] }, null, 2));
    const { status, output } = promtool(['check', 'rules', file], scratch);
    expect(output, output).toContain(`SUCCESS: ${rules.length} rules found`);
    expect(status).toBe(0);
  });
});

describe('the metric names the deploy files read', () => {
  it('are Polygres metrics or the standard process and Node metrics, by base name', () => {
    const names = [...metricNamesUsedByDeployFiles()];
    expect(names.length).toBeGreaterThan(40);
    for (const name of names) expect(name).toMatch(/^(polygres_|process_|nodejs_)[a-z0-9_]+$/);
    expect(names).toContain('polygres_pooler_wait_seconds');
    expect(names).not.toContain('polygres_pooler_wait_seconds_bucket');
    expect(names).not.toContain('up');
  });
});

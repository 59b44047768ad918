/** The constructs' copy of deploy/prometheus/alerts.yml (render/kubernetes/alert-rules.ts). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALERTS_YAML, ALERT_RULES_MODULE, alertRulesModule } from '../../scripts/alert-rules-module';

const ROOT = join(__dirname, '..', '..');
const yaml = readFileSync(join(ROOT, ALERTS_YAML), 'utf8');

describe("the constructs' alert rules", () => {
  // A jsii package cannot read the repository's deploy/ at run time: `npm run generate:alert-rules` copies it.
  it('are what the generator makes of deploy/prometheus/alerts.yml, byte for byte', () => {
    expect(readFileSync(join(ROOT, ALERT_RULES_MODULE), 'utf8')).toBe(alertRulesModule(yaml));
  });

  it('hold nothing Terraform would read as its own template syntax', () => {
    // The PrometheusRule goes through Terraform JSON, where "${" and "%{" start an interpolation.
    expect(yaml).not.toMatch(/[$%]\{/);
  });
});

/**
 * `npm run generate:alert-rules`: copies the rule groups of deploy/prometheus/alerts.yml into
 * the constructs (scripts/alert-rules-module.ts says why). Run it after changing the rules.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ALERTS_YAML, ALERT_RULES_MODULE, alertRulesModule } from './alert-rules-module';

const root = join(__dirname, '..');
writeFileSync(join(root, ALERT_RULES_MODULE), alertRulesModule(readFileSync(join(root, ALERTS_YAML), 'utf8')));
process.stdout.write(`${ALERT_RULES_MODULE} written from ${ALERTS_YAML}\n`);

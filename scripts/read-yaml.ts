/**
 * YAML for the scripts and tests that read deploy/prometheus/alerts.yml. js-yaml is a dev
 * dependency that ships no type declarations: this types the one call they make.
 */
import { createRequire } from 'node:module';

const jsYaml = createRequire(__filename)('js-yaml') as { load(text: string): unknown };

export function parseYaml(text: string): unknown {
  return jsYaml.load(text);
}

/** The version of Polygres this runtime is, from its package.json (the same from src/ and dist/). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

let cached: string | undefined;

export function polygresVersion(): string {
  cached ??= (JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version;
  return cached;
}

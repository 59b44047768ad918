/** Build step: writes the ClusterSpec JSON Schema next to the package (`schema/`). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { clusterSpecJsonSchema } from './json-schema';

const target = resolve(__dirname, '..', '..', process.argv[2] ?? 'schema/cluster-spec.v1.json');
mkdirSync(dirname(target), { recursive: true });
writeFileSync(target, `${JSON.stringify(clusterSpecJsonSchema(), null, 2)}\n`);

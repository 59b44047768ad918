/**
 * `npm run generate:parameters`: writes what the installed Postgres 15 accepts for each
 * parameter into the runtime and the constructs (which cannot import the runtime: they are a
 * jsii library). Run it when the supported Postgres changes; a test reads the installed
 * server again and fails when the shipped table differs.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readParameterTable } from '../runtime/src/postgres/parameters/read-parameter-table';

const table = readParameterTable();
const lines = Object.entries(table).map(([name, definition]) => `  ${name}: ${JSON.stringify(definition).replace(/"(\w+)":/g, '$1: ').replace(/,/g, ', ').replace(/"/g, "'").replace(/^\{/, '{ ').replace(/\}$/, ' }')},`);
const body = (typeImport: string) =>
  [
    '/**',
    ' * What Postgres 15 accepts for each of its own parameters, read from a real server\'s',
    ' * pg_settings by scripts/generate-postgres-parameters.ts. Generated: do not edit.',
    ' */',
    typeImport,
    '',
    'export const POSTGRES_15_PARAMETERS: ParameterTable = {',
    ...lines,
    '};',
    '',
  ].join('\n');
const root = join(__dirname, '..');
const runtimeDir = join(root, 'runtime/src/postgres/parameters');
const constructsDir = join(root, 'constructs/src/model/postgres-parameters');
writeFileSync(join(runtimeDir, 'postgres-15-parameters.ts'), body("import type { ParameterTable } from './parameter-table';"));
// The constructs get the table and the checker as they are in the runtime, byte for byte
// (constructs/test/postgres-parameters.test.ts holds them to it).
mkdirSync(constructsDir, { recursive: true });
for (const file of ['parameter-table.ts', 'check-parameter.ts', 'postgres-15-parameters.ts']) {
  writeFileSync(join(constructsDir, file), readFileSync(join(runtimeDir, file)));
}
process.stdout.write(`${lines.length} parameters written\n`);

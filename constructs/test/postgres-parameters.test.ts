import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const RUNTIME = join(__dirname, '..', '..', 'runtime', 'src', 'postgres', 'parameters');
const CONSTRUCTS = join(__dirname, '..', 'src', 'model', 'postgres-parameters');

describe("the constructs' Postgres parameter check", () => {
  // A jsii library cannot import the runtime: `npm run generate:parameters` copies these.
  it.each(['parameter-table.ts', 'check-parameter.ts', 'postgres-15-parameters.ts'])('is the runtime’s %s, byte for byte', (file) => {
    expect(readFileSync(join(CONSTRUCTS, file), 'utf8')).toBe(readFileSync(join(RUNTIME, file), 'utf8'));
  });
});

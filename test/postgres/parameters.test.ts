/**
 * The parameter table and its checker against the real Postgres 15: the shipped table is what
 * the installed server reports, and for generated settings of every boolean, integer, real and
 * enum parameter the checker and Postgres agree on what is valid (alone, and with the others at their defaults) (`postgres -C` parses a
 * setting exactly as at startup, without starting a server).
 */
import { execFile } from 'node:child_process';
import { chownSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { postgresOsUser } from '../../runtime/src/deployment/os-user';
import { postgresBinDir } from '../../runtime/src/postgres/postgres-binaries';
import { parametersProblems } from '../../runtime/src/postgres/parameters/check-parameter';
import type { ParameterDefinition } from '../../runtime/src/postgres/parameters/parameter-table';
import { POSTGRES_15_PARAMETERS as TABLE } from '../../runtime/src/postgres/parameters/postgres-15-parameters';
import { readParameterTable } from '../../runtime/src/postgres/parameters/read-parameter-table';
import { asUser } from '../../runtime/src/util/os-account';

const run = promisify(execFile);

/**
 * Parameters whose check hooks refuse values for reasons of this machine, not of the value:
 * bonjour needs a build with Bonjour, max_stack_depth must fit the process's stack limit.
 */
const MACHINE_BOUND = new Set(['bonjour', 'max_stack_depth']);

function valueFor(definition: ParameterDefinition): fc.Arbitrary<string> {
  const garbage = fc.constantFrom('abc', '', '1.2.3', 'on-ish', '--1');
  switch (definition.type) {
    case 'bool':
      return fc.oneof(fc.constantFrom('on', 'off', 'of', 'o', 'TRUE', 'fa', 'yes', 'n', '1', '0', '2', 'tru', 'onn'), garbage);
    case 'enum': {
      const values = definition.values ?? [];
      return fc.oneof(fc.constantFrom(...values), fc.constantFrom(...values).map((value) => value.toUpperCase()), fc.constantFrom('true', 'no', '1', 'x'), garbage);
    }
    default: {
      const min = definition.min ?? -1e6;
      const max = definition.max ?? 1e6;
      const inRange = definition.type === 'integer' ? fc.integer({ min: Math.max(min, -(2 ** 31)), max: Math.min(max, 2 ** 31 - 1) }).map(String) : fc.double({ min: Math.max(min, -1e12), max: Math.min(max, 1e12), noNaN: true }).map((n) => n.toFixed(3));
      const edges = fc.constantFrom(String(min), String(max), String(min - 1), String(max + 1));
      const units = definition.unit ? fc.constantFrom('', ' ', 'kB', 'MB', 'GB', 'mb', 'ms', 's', 'min', 'h', 'd', 'x') : fc.constantFrom('', 'kB', 's');
      return fc.oneof(inRange, edges, fc.tuple(fc.integer({ min: 0, max: 4096 }), units).map(([n, unit]) => `${n}${unit}`), garbage);
    }
  }
}

describe('Postgres parameters against the real Postgres 15', () => {
  let dataDir: string;
  const user = postgresOsUser();

  beforeAll(async () => {
    const root = mkdtempSync(join(inject('testRoot'), 'parameters-'));
    if (user) chownSync(root, user.uid, user.gid);
    dataDir = join(root, 'data');
    await run(join(postgresBinDir(), 'initdb'), ['-D', dataDir, '-A', 'trust', '--no-sync'], asUser(user));
  });

  /** Does Postgres accept `name = value`? */
  async function postgresAccepts(name: string, value: string): Promise<boolean> {
    try {
      await run(join(postgresBinDir(), 'postgres'), ['-D', dataDir, '-c', `${name}=${value}`, '-C', name], asUser(user));
      return true;
    } catch {
      return false;
    }
  }

  it('ships the table the installed server reports', () => {
    expect(readParameterTable()).toEqual(TABLE);
  });

  it('agrees with Postgres on generated settings of every checked type', async () => {
    const checked = Object.entries(TABLE).filter(([name, definition]) => definition.type !== 'string' && !MACHINE_BOUND.has(name));
    const cases = fc.sample(fc.constantFrom(...checked).chain(([name, definition]) => fc.tuple(fc.constant(name), valueFor(definition))), { numRuns: 1500, seed: 15 });
    const disagreements: string[] = [];
    for (const [name, value] of cases) {
      const ours = parametersProblems(TABLE, { [name]: value }).length === 0;
      const theirs = await postgresAccepts(name, value);
      if (ours !== theirs) disagreements.push(`${name}=${JSON.stringify(value)}: Postgres ${theirs ? 'accepts' : 'refuses'}, the check ${ours ? 'accepts' : 'refuses'}`);
    }
    expect(disagreements).toEqual([]);
  });
});

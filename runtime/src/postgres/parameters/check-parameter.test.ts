import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parameterProblem } from './check-parameter';
import { POSTGRES_15_PARAMETERS as TABLE } from './postgres-15-parameters';

const problem = (name: string, value: string | number | boolean) => parameterProblem(TABLE, name, value);

describe('Postgres parameters checked as Postgres 15 reads them', () => {
  it('refuses an unknown name with the closest known one', () => {
    expect(problem('shared_bufers', '128MB')).toEqual({ message: '"shared_bufers" is not a Postgres parameter', fix: 'did you mean "shared_buffers"?' });
    expect(problem('wrk_mem', '4MB')?.fix).toBe('did you mean "work_mem"?');
    expect(problem('completely_unrelated_setting', 'x')?.fix).toContain('SHOW ALL');
  });

  it('reads names regardless of case, and leaves extension parameters alone', () => {
    expect(problem('DateStyle', 'ISO, MDY')).toBeUndefined();
    expect(problem('datestyle', 'ISO, MDY')).toBeUndefined();
    expect(problem('WORK_MEM', '4MB')).toBeUndefined();
    expect(problem('pg_stat_statements.max', 'anything')).toBeUndefined();
  });

  it('takes integers with their units and holds them to the range', () => {
    expect(problem('max_connections', 'abc')?.message).toBe('"abc" is not an integer');
    expect(problem('max_connections', 200)).toBeUndefined();
    expect(problem('max_connections', '0')?.message).toContain('outside the range');
    expect(problem('work_mem', '64MB')).toBeUndefined();
    expect(problem('work_mem', '64 MB')).toBeUndefined();
    expect(problem('work_mem', '0.5GB')).toBeUndefined();
    expect(problem('work_mem', '32')?.fix).toBe('choose a value (from 64 to 2147483647 kB)');
    expect(problem('work_mem', '64mb')?.message).toBe('"mb" is not a unit of this parameter');
    expect(problem('work_mem', '5min')?.message).toBe('"min" is not a unit of this parameter');
    expect(problem('shared_buffers', '1GB')).toBeUndefined();
    expect(problem('shared_buffers', '64kB')?.message).toContain('outside the range');
    expect(problem('statement_timeout', '5min')).toBeUndefined();
    expect(problem('statement_timeout', '1h')).toBeUndefined();
    expect(problem('log_min_duration_statement', -1)).toBeUndefined();
    expect(problem('max_connections', '12abc')?.message).toBe('"abc" is not a unit of this parameter');
  });

  it('refuses the read-only parameters Postgres fixes at build or initdb', () => {
    expect(problem('segment_size', '131072')?.message).toContain('read-only');
    expect(problem('data_directory_mode', '0700')?.message).toContain('read-only');
  });

  it('takes reals and holds them to the range', () => {
    expect(problem('random_page_cost', '1.1')).toBeUndefined();
    expect(problem('checkpoint_completion_target', '0.9')).toBeUndefined();
    expect(problem('checkpoint_completion_target', '2')?.message).toContain('outside the range');
    expect(problem('random_page_cost', 'fast')?.message).toBe('"fast" is not a number');
  });

  it('takes booleans in every spelling Postgres does, and enum values', () => {
    for (const value of ['on', 'off', 'true', 'FALSE', 'yes', 'no', '1', '0', 't', 'f', 'y', 'n', 'of', true, false]) expect(problem('log_connections', value), String(value)).toBeUndefined();
    expect(problem('log_connections', 'o')?.message).toBe('"o" is not a boolean');
    expect(problem('log_connections', 'maybe')?.message).toBe('"maybe" is not a boolean');
    expect(problem('log_min_messages', 'WARNING')).toBeUndefined();
    expect(problem('log_min_messages', 'loud')?.fix).toContain('use one of: debug5');
    expect(problem('wal_compression', 'true')).toBeUndefined();
    expect(problem('wal_compression', 'lz4')).toBeUndefined();
  });

  it('accepts every integer parameter at its bounds and refuses one past them', () => {
    const integers = Object.entries(TABLE).filter(([, definition]) => definition.type === 'integer' && definition.context !== 'internal');
    fc.assert(
      fc.property(fc.constantFrom(...integers), ([name, definition]) => {
        expect(problem(name, String(definition.min))).toBeUndefined();
        expect(problem(name, String(definition.max))).toBeUndefined();
        expect(problem(name, String(definition.min! - 1))?.message).toContain('outside the range');
        expect(problem(name, String(definition.max! + 1))?.message).toContain('outside the range');
      }),
      { numRuns: 200 },
    );
  });
});

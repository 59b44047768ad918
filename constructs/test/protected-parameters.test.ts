import { describe, expect, it } from 'vitest';
import { PROTECTED_PARAMETERS as RUNTIME } from '../../runtime/src/spec/protected-parameters';
import { PROTECTED_PARAMETERS } from '../src/model/protected-parameters';

describe('protected Postgres parameters', () => {
  it('are the runtime list, name for name', () => {
    expect([...PROTECTED_PARAMETERS].sort()).toEqual([...RUNTIME.keys()].sort());
  });
});

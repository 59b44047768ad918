import { describe, expect, it } from 'vitest';
import { ConnectionBudget } from './connection-budget';
import type { Pool } from './pool';

describe('ConnectionBudget', () => {
  it('is spent once every slot is taken, and not once one is given back', () => {
    const budget = new ConnectionBudget(2);
    const pool = { total: 0, idleCount: 0 } as unknown as Pool;
    budget.register(pool);
    expect(budget.spent).toBe(false);
    expect(budget.tryTake(pool)).toBe(true);
    expect(budget.tryTake(pool)).toBe(true);
    expect(budget.spent).toBe(true);
    budget.give();
    expect(budget.spent).toBe(false);
    expect(budget.inUse).toBe(1);
  });
});

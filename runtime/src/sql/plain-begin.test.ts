import { describe, expect, it } from 'vitest';
import { isPlainBegin } from './plain-begin';

describe('isPlainBegin', () => {
  it.each(['BEGIN', 'begin;', '  Begin Work ; \n', 'BEGIN TRANSACTION', 'start transaction;', 'START\tTRANSACTION'])('takes %j', (sql) => {
    expect(isPlainBegin(sql)).toBe(true);
  });

  it.each([
    'BEGIN ISOLATION LEVEL SERIALIZABLE',
    'BEGIN READ ONLY',
    'START TRANSACTION READ WRITE',
    'BEGIN; SELECT 1',
    '/* app */ BEGIN',
    'BEGIN -- why',
    'BEGINNING',
    'START',
    'COMMIT',
    `BEGIN${' '.repeat(40)}`,
  ])('leaves %j to Postgres', (sql) => {
    expect(isPlainBegin(sql)).toBe(false);
  });
});

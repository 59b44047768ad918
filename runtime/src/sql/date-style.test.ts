import { describe, expect, it } from 'vitest';
import { dateStyleChain } from './date-style';

/** The chain after each statement in turn, from a session that never set DateStyle. */
const after = (...statements: string[]) => statements.reduce<string | undefined>((chain, statement) => dateStyleChain(chain, statement), undefined);

describe('the statements kept for DateStyle', () => {
  it('keeps a full value alone, and replaces it with the next full one', () => {
    expect(after("SET DateStyle TO 'Postgres, MDY'")).toBe("SET DateStyle TO 'Postgres, MDY'");
    expect(after("SET DateStyle TO 'Postgres, MDY'", "SET datestyle = 'ISO, DMY'")).toBe("SET datestyle = 'ISO, DMY'");
  });

  it('keeps the earlier statement that set the half a partial one leaves (horology.sql)', () => {
    expect(after("SET DateStyle TO 'Postgres, MDY'", 'set datestyle to dmy')).toBe("SET DateStyle TO 'Postgres, MDY'; set datestyle to dmy");
  });

  it('starts from RESET when the session never set the other half', () => {
    expect(after('SET datestyle = dmy')).toBe('RESET datestyle; SET datestyle = dmy');
  });

  it('keeps only the newest statement for each half, in the order they were made', () => {
    expect(after("SET DateStyle TO 'ISO, MDY'", "SET DateStyle = 'SQL'", 'SET DateStyle = dmy', "SET DateStyle = 'Postgres'", 'SET DateStyle = ymd')).toBe(
      "SET DateStyle = 'Postgres'; SET DateStyle = ymd",
    );
  });

  it('counts German alone as both halves (it sets DMY), and a later order on top of it', () => {
    expect(after('SET DateStyle = mdy', "SET DateStyle = 'German'")).toBe("SET DateStyle = 'German'");
    expect(after("SET DateStyle = 'German'", 'SET DateStyle = us')).toBe("SET DateStyle = 'German'; SET DateStyle = us");
  });

  it('takes DEFAULT and set_config like any other statement', () => {
    expect(after('SET DateStyle = dmy', 'SET DateStyle TO DEFAULT')).toBe('SET DateStyle TO DEFAULT');
    expect(after("SELECT set_config('datestyle', 'SQL, DMY', false)", "SELECT set_config('datestyle', 'iso', false)")).toBe(
      "SELECT set_config('datestyle', 'SQL, DMY', false); SELECT set_config('datestyle', 'iso', false)",
    );
  });
});

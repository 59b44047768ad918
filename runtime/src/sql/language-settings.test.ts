import { describe, expect, it } from 'vitest';
import { isLanguagePlaceholder } from './language-settings';

describe('placeholders under a procedural language’s prefix', () => {
  it('are the names the language does not define', () => {
    expect(isLanguagePlaceholder('plpgsql.extra_foo_warnings')).toBe(true);
    expect(isLanguagePlaceholder('plperl.anything')).toBe(true);
  });
  it('exclude the language’s own settings and other prefixes', () => {
    expect(isLanguagePlaceholder('plpgsql.variable_conflict')).toBe(false);
    expect(isLanguagePlaceholder('plpgsql.extra_warnings')).toBe(false);
    expect(isLanguagePlaceholder('app.tenant')).toBe(false);
    expect(isLanguagePlaceholder('work_mem')).toBe(false);
  });
});

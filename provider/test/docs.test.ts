import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderReadme } from '../src/docs/render-readme';
import { dataSources, resources } from '../src/resources/registry';

describe('provider README', () => {
  it('is generated from the current schemas (npm run docs -w provider)', () => {
    expect(readFileSync(join(__dirname, '..', 'README.md'), 'utf8')).toBe(renderReadme());
  });

  it('has a section for every resource and data source, with every argument', () => {
    const readme = renderReadme();
    for (const { schema } of [...resources(), ...dataSources()]) {
      expect(readme).toContain(`\`${schema.typeName}\``);
      for (const attribute of schema.attributes) expect(readme).toContain(`- \`${attribute.name}\` (`);
    }
  });
});

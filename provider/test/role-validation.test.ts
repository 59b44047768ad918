import { describe, expect, it } from 'vitest';
import { UNKNOWN } from '../src/msgpack/value';
import { roleResource } from '../src/resources/role';

const config = (overrides: Record<string, unknown>) => ({ id: null, cluster_id: '/tmp/c', name: 'app', password: null, generate_password: null, login: null, ...overrides }) as never;

describe('polygres_role validation', () => {
  it('accepts a password, a generated password, or none', async () => {
    expect(await roleResource.validate!(config({ password: 's3cret' }))).toEqual([]);
    expect(await roleResource.validate!(config({ generate_password: true }))).toEqual([]);
    expect(await roleResource.validate!(config({}))).toEqual([]);
  });

  it('refuses generate_password together with a password (even one not known yet), at generate_password', async () => {
    for (const password of ['s3cret', UNKNOWN]) {
      const [diagnostic] = await roleResource.validate!(config({ password, generate_password: true }));
      expect(diagnostic).toMatchObject({ severity: 'error', summary: 'generate_password conflicts with password', attribute: ['generate_password'] });
    }
  });

  it('refuses the roles Polygres manages', async () => {
    const [diagnostic] = await roleResource.validate!(config({ name: 'replicator' }));
    expect(diagnostic).toMatchObject({ attribute: ['name'], detail: 'fix: choose another role name' });
  });
});

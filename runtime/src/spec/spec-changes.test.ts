import { describe, expect, it } from 'vitest';
import { defaultSpec } from './defaults';
import type { ClusterSpec } from './schema';
import { specChanges } from './spec-changes';
import { validateSpec } from './validate';

function changed(edit: (spec: Record<string, any>) => void): ClusterSpec {
  const spec = JSON.parse(JSON.stringify(defaultSpec())) as Record<string, any>;
  edit(spec);
  return validateSpec(spec).spec;
}

describe('what a spec change costs a running cluster', () => {
  it('finds no change between a spec and itself, defaults spelled out or not', () => {
    expect(specChanges(defaultSpec(), changed(() => undefined))).toEqual([]);
  });

  it('reloads for parameters Postgres reloads, and restarts for postmaster ones', () => {
    const next = changed((spec) => (spec.postgres.parameters = { work_mem: '64MB', max_connections: 200, 'pg_stat_statements.max': 5000 }));
    expect(specChanges(defaultSpec(), next).map(({ path, effect }) => [path, effect])).toEqual([
      ['postgres.parameters.work_mem', 'reload'],
      ['postgres.parameters.max_connections', 'rolling-restart'],
      ['postgres.parameters.pg_stat_statements.max', 'reload'],
    ]);
  });

  it('changes the policy live, a backup schedule through the orchestrators, retention by reload', () => {
    const next = changed((spec) => {
      spec.durability = { policy: 'atLeast', n: 3 };
      spec.backup.schedule = { full: '0 2 * * *' };
      spec.backup.retention = { full: 4 };
    });
    expect(specChanges(defaultSpec(), next).map(({ path, effect }) => [path, effect])).toEqual([
      ['durability', 'durability'],
      ['backup.retention.full', 'reload'],
      ['backup.schedule', 'orchestrators'],
    ]);
  });

  it('lets zones join and leave with their instances, but not change their settings', () => {
    const next = changed((spec) => {
      spec.zones.push({ name: 'zone-d' });
      spec.instances.push({ name: 'zone-d-0', zone: 'zone-d' });
    });
    expect(specChanges(defaultSpec(), next).map(({ path, effect }) => [path, effect])).toEqual([
      ['zones', 'instances'],
      ['instances', 'instances'],
    ]);
    const relabelled = changed((spec) => (spec.zones[0].kubernetes = { zoneLabelValue: 'eu-1a' }));
    expect(specChanges(defaultSpec(), relabelled)[0]?.effect).toBe('refused');
  });

  it('changes the pool sizes, queue timeouts and client limits the poolers and gateways take while running', () => {
    const next = changed((spec) => {
      spec.pooler.poolSize = 40;
      spec.gateway.limits.maxConnectionsPerUser = 10;
      spec.gateway.limits.clientBufferBytes = 512 * 1024 * 1024;
    });
    expect(specChanges(defaultSpec(), next).map(({ path, effect }) => [path, effect])).toEqual([
      ['pooler.poolSize', 'reload'],
      ['gateway.limits.maxConnectionsPerUser', 'reload'],
      ['gateway.limits.clientBufferBytes', 'refused'],
    ]);
  });

  it('refuses what a running cluster cannot change, saying what to do instead; instances join and leave', () => {
    const next = changed((spec) => {
      spec.name = 'other';
      spec.instances.push({ name: 'zone-a-1', zone: 'zone-a' });
      spec.pooler.preparedStatementCacheSize = 40;
      spec.backup.repositories = [{ type: 'posix', path: '/elsewhere' }];
    });
    const refused = specChanges(defaultSpec(), next);
    expect(refused.map(({ path, effect }) => [path, effect])).toEqual([
      ['name', 'refused'],
      ['instances', 'instances'],
      ['pooler.preparedStatementCacheSize', 'refused'],
      ['backup.repositories', 'refused'],
    ]);
    expect(refused[0]?.why).toContain('polygres restore --name');
    expect(refused[1]?.why).toBe('zone-a-1 join: restored from the latest backup, then streaming, then in the rule');
  });
});

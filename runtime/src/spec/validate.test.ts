import { describe, expect, it } from 'vitest';
import { defaultSpec } from './defaults';
import { clusterSpecJsonSchema } from './json-schema';
import { SpecError } from './spec-error';
import { validateSpec } from './validate';

/** The default spec as plain JSON, changed by `edit`, then validated; returns the problems. */
function problemsOf(edit: (spec: Record<string, any>) => void): { path: string; message: string; fix: string }[] {
  const spec = JSON.parse(JSON.stringify(defaultSpec())) as Record<string, any>;
  edit(spec);
  try {
    validateSpec(spec);
  } catch (error) {
    expect(error).toBeInstanceOf(SpecError);
    return [...(error as SpecError).problems];
  }
  return [];
}

describe('ClusterSpec validation', () => {
  it('accepts the default spec: three zones, one instance each, atLeast(2)', () => {
    const spec = defaultSpec();
    expect(spec.name).toBe('local');
    expect(spec.zones.map((z) => z.name)).toEqual(['zone-a', 'zone-b', 'zone-c']);
    expect(spec.instances.map((i) => [i.name, i.zone])).toEqual([
      ['zone-a-0', 'zone-a'],
      ['zone-b-0', 'zone-b'],
      ['zone-c-0', 'zone-c'],
    ]);
    expect(spec.durability).toEqual({ policy: 'atLeast', n: 2 });
    expect(spec.pooler.poolSize).toBe(20);
    expect(spec.shards).toEqual([{ name: '0-inf' }]);
  });

  it('fills in defaults for omitted sections', () => {
    const { spec } = validateSpec({
      apiVersion: 'polygres.dev/v1',
      name: 'tiny',
      zones: [{ name: 'a' }],
      instances: [{ name: 'a-0', zone: 'a' }],
      durability: { policy: 'none' },
    });
    expect(spec.postgres).toEqual({ version: 15, parameters: {} });
    expect(spec.gateway.auth.method).toBe('scram-sha-256');
    expect(spec.gateway.failoverBuffer.windowMs).toBe(10_000);
  });

  it('rejects an instance in an undeclared zone, naming the field and the zones to use', () => {
    const problems = problemsOf((spec) => (spec.instances[1].zone = 'zone-x'));
    const problem = problems.find((p) => p.path === 'instances[1].zone');
    expect(problem?.message).toContain('"zone-x" is not declared');
    expect(problem?.fix).toContain('"zone-a", "zone-b", "zone-c"');
  });

  it('rejects atLeast(4) with three instances', () => {
    const problems = problemsOf((spec) => (spec.durability = { policy: 'atLeast', n: 4 }));
    expect(problems).toEqual([
      {
        path: 'durability',
        message: 'atLeast(4) needs at least 4 instances but 3 are declared',
        fix: 'lower n to 3 or fewer, or add 1 instance(s)',
      },
    ]);
  });

  it('rejects a negative port', () => {
    const problems = problemsOf((spec) => (spec.gateway.port = -5));
    expect(problems).toEqual([{ path: 'gateway.port', message: 'must be between 1 and 65535', fix: 'use a value of at least 1' }]);
  });

  it('checks the gateway limits: a message must fit in the buffer budget, and TLS cannot be required without TLS', () => {
    expect(problemsOf((spec) => (spec.gateway.limits = { maxMessageBytes: 8 * 1024 * 1024, clientBufferBytes: 4 * 1024 * 1024 }))).toEqual([
      { path: 'gateway.limits.maxMessageBytes', message: 'maxMessageBytes must not exceed clientBufferBytes (one message must fit in the buffer budget)', fix: 'lower maxMessageBytes or raise clientBufferBytes' },
    ]);
    expect(problemsOf((spec) => (spec.gateway.limits = { loginTimeoutMs: 0 }))).toMatchObject([{ path: 'gateway.limits.loginTimeoutMs', fix: 'use a value of at least 1' }]);
    expect(problemsOf((spec) => (spec.gateway.tls = { mode: 'disabled', required: true }))).toEqual([
      { path: 'gateway.tls.required', message: 'TLS is required of clients, but the gateway has no TLS (mode "disabled")', fix: 'set gateway.tls.mode to "generate" or "files", or required to false' },
    ]);
    expect(validateSpec(defaultSpec()).spec.gateway.limits).toEqual({
      loginTimeoutMs: 10_000,
      maxClientConnections: 10_000,
      maxConnectionsPerUser: 0,
      maxPendingLogins: 10_000,
      maxMessageBytes: 64 * 1024 * 1024,
      clientBufferBytes: 256 * 1024 * 1024,
      idleInTransactionTimeoutMs: 900_000,
      slowClientTimeoutMs: 60_000,
    });
  });

  it('rejects duplicate zone and instance names', () => {
    const problems = problemsOf((spec) => {
      spec.zones.push({ name: 'zone-a' });
      spec.instances.push({ name: 'zone-a-0', zone: 'zone-a' });
    });
    expect(problems.map((p) => p.path)).toEqual(['zones[3].name', 'instances[3].name']);
  });

  it('rejects a zone without instances', () => {
    const problems = problemsOf((spec) => spec.zones.push({ name: 'zone-d' }));
    expect(problems).toEqual([expect.objectContaining({ path: 'zones[3]', message: 'zone "zone-d" has no instances' })]);
  });

  it('rejects unknown keys, with the key named', () => {
    const problems = problemsOf((spec) => (spec.zones[0].instaces = 2));
    expect(problems).toEqual([expect.objectContaining({ path: 'zones[0]', fix: expect.stringContaining('"instaces"') })]);
  });

  it('rejects an unknown durability policy', () => {
    const problems = problemsOf((spec) => (spec.durability = { policy: 'quorum' }));
    expect(problems[0]?.path).toBe('durability.policy');
    expect(problems[0]?.fix).toContain('"surviveZoneFailure"');
  });

  it('rejects names that are not DNS labels', () => {
    const problems = problemsOf((spec) => (spec.name = 'My_Cluster'));
    expect(problems[0]?.path).toBe('name');
  });

  it('refuses Postgres parameters that protect replication and durability', () => {
    const problems = problemsOf((spec) => (spec.postgres.parameters = { synchronous_commit: 'off', work_mem: '64MB', FSYNC: 'off' }));
    expect(problems.map((p) => p.path)).toEqual(['postgres.parameters.synchronous_commit', 'postgres.parameters.FSYNC']);
  });

  it('checks Postgres parameters as Postgres 15 reads them, naming the closest known name', () => {
    const problems = problemsOf((spec) => (spec.postgres.parameters = { shared_bufers: '128MB', max_connections: 'abc', work_mem: '64MB', 'pg_stat_statements.max': 5000 }));
    expect(problems).toEqual([
      { path: 'postgres.parameters.shared_bufers', message: '"shared_bufers" is not a Postgres parameter', fix: 'did you mean "shared_buffers"?' },
      expect.objectContaining({ path: 'postgres.parameters.max_connections', message: '"abc" is not an integer' }),
    ]);
    expect(problemsOf((spec) => (spec.postgres.parameters = { max_connections: 262140 }))[0]?.message).toContain('more backends than Postgres can run');
  });

  it('rejects policies the instances cannot satisfy', () => {
    const twoZones = (spec: Record<string, any>) => {
      spec.zones.pop();
      spec.instances.pop();
    };
    expect(problemsOf((spec) => {
      twoZones(spec);
      spec.durability = { policy: 'surviveZoneFailure' };
    })[0]?.message).toContain('at least three zones');
    expect(problemsOf((spec) => {
      spec.zones = [{ name: 'a' }];
      spec.instances = [{ name: 'a-0', zone: 'a' }, { name: 'a-1', zone: 'a' }];
      spec.durability = { policy: 'multiZone', n: 2 };
    })[0]?.message).toContain('at least two zones');
  });

  it('warns about durability none() without refusing it', () => {
    const spec = { ...JSON.parse(JSON.stringify(defaultSpec())), durability: { policy: 'none' } };
    const { warnings } = validateSpec(spec);
    expect(warnings).toEqual([expect.objectContaining({ path: 'durability', message: expect.stringContaining('asynchronously') })]);
  });

  it('lists every problem at once', () => {
    const problems = problemsOf((spec) => {
      spec.instances[0].zone = 'nowhere';
      spec.instances[1].name = 'zone-c-0';
    });
    expect(problems.length).toBeGreaterThanOrEqual(2);
  });

  it('exports a JSON Schema that describes the required fields', () => {
    const schema = clusterSpecJsonSchema() as { required: string[]; properties: Record<string, unknown> };
    expect(schema.required).toEqual(expect.arrayContaining(['apiVersion', 'name', 'zones', 'instances', 'durability']));
    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining(['postgres', 'zones', 'instances', 'durability', 'pooler', 'gateway', 'shards']),
    );
  });
});

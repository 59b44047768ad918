/**
 * What the pods run must be what the runtime expects: the layout file has the runtime's
 * ClusterLayout shape, the containers run the local target's command lines, and the
 * constructs accept exactly the declarations the runtime's validator accepts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clusterChildren } from '../../runtime/src/local/children';
import { renderHba } from '../../runtime/src/postgres/postgres-config';
import { hbaNetworksFor } from '../../runtime/src/postgres/instance-postgres';
import { type ClusterLayout, etcdEndpoints, findInstance, planLayout, poolerSocketPath } from '../../runtime/src/deployment/layout';
import { validateSpec } from '../../runtime/src/spec';
import { BackupPolicy, BackupRepository, DurabilityPolicy, GatewayAuthMethod, S3KeyType, Target, Zone } from '../src';
import { buildClusterSpec } from '../src/model/build-spec';
import { checkDeclaration } from '../src/model/check-declaration';
import type { ClusterDeclaration } from '../src/model/cluster-declaration';
import { etcdArgs, gatewayArgs, orchestratorArgs, poolerArgs } from '../src/render/kubernetes/command-lines';
import { LAYOUT_FILE, renderLayout } from '../src/render/kubernetes/layout';
import { ClusterNames } from '../src/render/kubernetes/naming';
import { type Json, resourceList, synthCluster } from './synth';

function declaration(zones: Zone[], durability: DurabilityPolicy, extra: Partial<ClusterDeclaration> = {}): ClusterDeclaration {
  return { name: 'orders', zones, durability, postgres: {}, pooler: {}, gateway: {}, users: [], databases: [], kubernetes: { namespace: 'db' }, ...extra };
}

describe('the runtime contract', () => {
  it('renders a layout the runtime reads', () => {
    const spec = buildClusterSpec(declaration([Zone.of('zone-a', { instances: 2 }), Zone.of('zone-b'), Zone.of('zone-c')], DurabilityPolicy.atLeast(2)), { kubernetesHints: true });
    const layout: ClusterLayout = renderLayout(spec, new ClusterNames('orders', 'db', 'cluster.local'));
    expect(etcdEndpoints(layout)).toEqual(['https://orders-etcd.db.svc.cluster.local:2379']);
    expect(findInstance(layout, 'zone-a-1').host).toBe('orders-zone-a-1-0.orders-zone-a-1.db.svc.cluster.local');
    expect(poolerSocketPath(findInstance(layout, 'zone-b-0'))).toBe('/var/lib/polygres/data/zone-b-0/socket/.s.PGSQL.6432');
    expect(layout.gateways.map((g) => g.zone)).toEqual(['zone-a', 'zone-b', 'zone-c']);
    expect(layout.orchestrators.map((o) => o.name)).toEqual(['orchestrator-zone-a', 'orchestrator-zone-b', 'orchestrator-zone-c']);
  });

  it('lets pod addresses reach Postgres with a password, where a local cluster lets in loopback only', () => {
    const declared = declaration([Zone.of('zone-a'), Zone.of('zone-b'), Zone.of('zone-c')], DurabilityPolicy.atLeast(2));
    // Every instance's host is its pod's DNS name: probes, pg_basebackup, streaming and
    // pg_rewind come from pod addresses, which loopback-only pg_hba.conf lines refuse.
    const pods = renderHba(hbaNetworksFor(renderLayout(buildClusterSpec(declared, { kubernetesHints: true }), new ClusterNames('orders', 'db', 'cluster.local'))));
    expect(pods).toContain('host replication replicator 0.0.0.0/0 scram-sha-256');
    expect(pods).toContain('host all all ::/0 scram-sha-256');
    expect(pods).not.toMatch(/^host .* trust$/m);
    const local = planLayout({ spec: validateSpec(buildClusterSpec(declared, { kubernetesHints: false })).spec, stateDir: '/tmp/polygres-contract', basePort: 20000 });
    expect(renderHba(hbaNetworksFor(local))).not.toContain('0.0.0.0/0');
  });

  it('runs the local target\'s command lines in the containers', () => {
    const spec = validateSpec(buildClusterSpec(declaration([Zone.of('zone-a'), Zone.of('zone-b'), Zone.of('zone-c')], DurabilityPolicy.atLeast(2)), { kubernetesHints: false })).spec;
    const local = planLayout({ spec, stateDir: '/tmp/polygres-contract', basePort: 20000 });
    const children = clusterChildren(local);
    // Locally: node [flags] bin/polygres <service args> --layout <file>; in a pod: polygres <same args> --layout <mounted file>.
    const serviceArgs = (name: string) => {
      const args = children.find((child) => child.name === name)!.args;
      const start = args.findIndex((arg) => arg.endsWith('/bin/polygres')) + 1;
      return args.slice(start).map((arg) => (arg === `${local.stateDir}/layout.json` ? LAYOUT_FILE : arg));
    };
    expect(poolerArgs('zone-a-0')).toEqual(serviceArgs('pooler-zone-a-0'));
    expect(gatewayArgs('zone-b')).toEqual(serviceArgs('gateway-zone-b'));
    expect(orchestratorArgs('orchestrator-zone-c')).toEqual(serviceArgs('orchestrator-zone-c'));
    // Probes are a Kubernetes matter: only there does etcd serve /health on a port of its own.
    const flags = (args: readonly string[]) => args.filter((arg) => arg.startsWith('--') && arg !== '--listen-metrics-urls');
    expect(flags(etcdArgs(new ClusterNames('orders', 'db', 'cluster.local')))).toEqual(flags(children.find((child) => child.name === 'etcd')!.args));
  });

  it('the synthesized containers carry those command lines', () => {
    const { config } = synthCluster({ zones: [Zone.of('zone-a'), Zone.of('zone-b'), Zone.of('zone-c')], target: Target.kubernetes() });
    const args = [...resourceList(config, 'kubernetes_stateful_set_v1'), ...resourceList(config, 'kubernetes_deployment_v1')]
      .map((workload: Json) => workload.spec.template.spec.container[0])
      .filter((container: Json) => container.command[0] === 'polygres')
      .map((container: Json) => container.args);
    expect(args).toContainEqual(poolerArgs('zone-a-0'));
    expect(args).toContainEqual(gatewayArgs('zone-c'));
    expect(args).toContainEqual(orchestratorArgs('orchestrator-zone-b'));
  });

  it('accepts a declaration exactly when the runtime validator accepts its spec', () => {
    const policies = fc.oneof(
      fc.integer({ min: 1, max: 6 }).map((n) => DurabilityPolicy.atLeast(n)),
      fc.integer({ min: 2, max: 6 }).map((n) => DurabilityPolicy.multiZone(n)),
      fc.constant(DurabilityPolicy.surviveZoneFailure()),
      fc.constant(DurabilityPolicy.none()),
    );
    const zoneName = fc.constantFrom('zone-a', 'zone-b', 'zone-c', 'zone-d', 'us-east-1a');
    const zones = fc.array(fc.tuple(zoneName, fc.integer({ min: 1, max: 3 })), { minLength: 1, maxLength: 4 })
      .map((list) => list.map(([name, instances]) => Zone.of(name, { instances })));
    const parameters = fc.constantFrom<Record<string, string>>({}, { work_mem: '64MB' }, { fsync: 'off' }, { Synchronous_Commit: 'local' });
    const auth = fc.constantFrom(GatewayAuthMethod.SCRAM_SHA_256, GatewayAuthMethod.TRUST);
    // S3 credentials: a secret, the machine's or pod's identity, or a key type that cannot use what is given.
    const backups = fc.option(fc.record({
      credentialsSecret: fc.option(fc.constant('orders-s3'), { nil: undefined }),
      keyType: fc.option(fc.constantFrom(S3KeyType.SHARED, S3KeyType.AUTO, S3KeyType.WEB_ID), { nil: undefined }),
    }).map(({ credentialsSecret, keyType }) => BackupPolicy.pgBackRest({
      repository: BackupRepository.s3({ bucket: 'orders-backups', region: 'us-east-1', ...(credentialsSecret ? { credentialsSecret } : {}), ...(keyType ? { keyType } : {}) }),
    })), { nil: undefined });
    fc.assert(fc.property(zones, policies, parameters, auth, backups, (zoneList, durability, params, method, backup) => {
      const declared = declaration(zoneList, durability, { postgres: { parameters: params }, gateway: { auth: method }, kubernetes: undefined, local: { basePort: 15432 }, ...(backup ? { backup } : {}) });
      const problems = checkDeclaration(declared);
      const ours = problems.filter((p) => p.severity === 'error').length === 0;
      let runtimeWarnings: string[] = [];
      let runtime = true;
      try {
        runtimeWarnings = validateSpec(buildClusterSpec(declared, { kubernetesHints: false })).warnings.map((w) => w.message);
      } catch {
        runtime = false;
      }
      expect(ours).toBe(runtime);
      if (ours) expect(problems.filter((p) => p.severity === 'warning').map((p) => p.message)).toEqual(runtimeWarnings);
    }), { numRuns: 1000 });
  });
});

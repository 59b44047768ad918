/** The Kubernetes rendering, asserted on the synthesized Terraform JSON. */
import { describe, expect, it } from 'vitest';
import { validateSpec } from '../../runtime/src/spec';
import { BackupPolicy, BackupRepository, BackupSchedule, DurabilityPolicy, Target, Zone } from '../src';
import { type Json, resourceList, resources, synthCluster } from './synth';

const zones = () => [Zone.of('us-east-1a', { instances: 2, storageClass: 'gp3-a' }), Zone.of('us-east-1b'), Zone.of('us-east-1c', { labelValue: 'use1-az3' })];

function multiAz(zoneLabel?: string) {
  return synthCluster({
    zones: zones(),
    durability: DurabilityPolicy.surviveZoneFailure(),
    target: Target.kubernetes({ namespace: 'db', storageClass: 'gp3', ...(zoneLabel ? { zoneLabel } : {}) }),
    backup: BackupPolicy.pgBackRest({
      repository: BackupRepository.s3({ bucket: 'orders-backups', region: 'us-east-1', credentialsSecret: 'orders-s3' }),
      schedule: BackupSchedule.daily({ hour: 1 }),
      encrypted: true,
    }),
  }, (cluster) => {
    cluster.addDatabase('orders');
    cluster.addUser('app', { databases: ['orders'] });
  });
}

const podSpec = (workload: Json) => workload.spec.template.spec;
const labelsOf = (workload: Json): Record<string, string> => workload.spec.template.metadata.labels;
const requiredZones = (workload: Json, label: string): string[] =>
  podSpec(workload).affinity.node_affinity.required_during_scheduling_ignored_during_execution.node_selector_term
    .flatMap((term: Json) => term.match_expressions.filter((e: Json) => e.key === label && e.operator === 'In').flatMap((e: Json) => e.values));

describe('Kubernetes rendering', () => {
  it('pins every instance to its zone, with the zone storage class on its volume', () => {
    const { config } = multiAz();
    const instances = resourceList(config, 'kubernetes_stateful_set_v1').filter((set) => labelsOf(set)['app.kubernetes.io/component'] === 'postgres');
    const expected: Record<string, { zone: string; label: string; storage: string }> = {
      'us-east-1a-0': { zone: 'us-east-1a', label: 'us-east-1a', storage: 'gp3-a' },
      'us-east-1a-1': { zone: 'us-east-1a', label: 'us-east-1a', storage: 'gp3-a' },
      'us-east-1b-0': { zone: 'us-east-1b', label: 'us-east-1b', storage: 'gp3' },
      'us-east-1c-0': { zone: 'us-east-1c', label: 'use1-az3', storage: 'gp3' },
    };
    expect(instances.map((set) => labelsOf(set)['polygres.dev/instance']).sort()).toEqual(Object.keys(expected));
    for (const set of instances) {
      const want = expected[labelsOf(set)['polygres.dev/instance']!]!;
      expect(set.spec.replicas).toBe('1');
      expect(labelsOf(set)['polygres.dev/zone']).toBe(want.zone);
      expect(requiredZones(set, 'topology.kubernetes.io/zone')).toEqual([want.label]);
      expect(set.spec.volume_claim_template[0].spec.storage_class_name).toBe(want.storage);
      // OnDelete: the provider's rollout wait would fail every apply and taint the set.
      expect(set.spec.update_strategy[0].type).toBe('OnDelete');
      expect(set.wait_for_rollout).toBe(false);
      // A primary being stopped (drain, rolling update) switches over first.
      expect(podSpec(set).container[0].env).toContainEqual({ name: 'POLYGRES_HAND_OVER_ON_STOP', value: '1' });
      // Without an init as PID 1 a fenced postmaster stays a zombie and blocks the restart.
      expect(podSpec(set).share_process_namespace).toBe(true);
      // Group permissions re-applied on every mount would make pgdata 2770 and Postgres refuse it.
      expect(podSpec(set).security_context.fs_group_change_policy).toBe('OnRootMismatch');
    }
  });

  it('uses the configured zone label', () => {
    const { config } = multiAz('failure-domain.example.com/zone');
    for (const set of resourceList(config, 'kubernetes_stateful_set_v1').filter((s) => labelsOf(s)['app.kubernetes.io/component'] === 'postgres')) {
      expect(requiredZones(set, 'failure-domain.example.com/zone')).toHaveLength(1);
    }
  });

  it('gives each zone a gateway Deployment and Service in that zone, plus a cluster-wide Service', () => {
    const { config } = multiAz();
    const gateways = resourceList(config, 'kubernetes_deployment_v1').filter((d) => labelsOf(d)['app.kubernetes.io/component'] === 'gateway');
    expect(gateways.map((d) => labelsOf(d)['polygres.dev/zone']).sort()).toEqual(['us-east-1a', 'us-east-1b', 'us-east-1c']);
    for (const gateway of gateways) {
      const zone = labelsOf(gateway)['polygres.dev/zone']!;
      expect(requiredZones(gateway, 'topology.kubernetes.io/zone')).toEqual([zone === 'us-east-1c' ? 'use1-az3' : zone]);
      expect(podSpec(gateway).container[0].args).toEqual(['gateway', '--zone', zone, '--layout', '/etc/polygres/layout.json']);
      // Replicas share the zone's index in cancel keys: each registers its own address.
      expect(podSpec(gateway).container[0].env).toContainEqual({ name: 'POLYGRES_POD_IP', value_from: { field_ref: { field_path: 'status.podIP' } } });
    }
    const services = resourceList(config, 'kubernetes_service_v1').filter((s) => s.metadata.labels['app.kubernetes.io/component'] === 'gateway');
    const byName = Object.fromEntries(services.map((s) => [s.metadata.name, s.spec.selector]));
    expect(byName['orders-gateway']).toEqual({ 'app.kubernetes.io/name': 'polygres', 'app.kubernetes.io/instance': 'orders', 'app.kubernetes.io/component': 'gateway' });
    for (const zone of ['us-east-1a', 'us-east-1b', 'us-east-1c']) expect(byName[`orders-gateway-${zone}`]['polygres.dev/zone']).toBe(zone);
  });

  it('runs one orchestrator per zone, pinned there, and three etcd members spread over zones', () => {
    const { config } = multiAz();
    const orchestrators = resourceList(config, 'kubernetes_deployment_v1').filter((d) => labelsOf(d)['app.kubernetes.io/component'] === 'orchestrator');
    expect(orchestrators.map((d) => podSpec(d).container[0].args[2]).sort()).toEqual(['orchestrator-us-east-1a', 'orchestrator-us-east-1b', 'orchestrator-us-east-1c']);
    for (const o of orchestrators) {
      expect(o.spec.replicas).toBe('1');
      expect(podSpec(o).affinity.pod_anti_affinity).toBeDefined();
    }
    const etcd = resourceList(config, 'kubernetes_stateful_set_v1').find((s) => labelsOf(s)['app.kubernetes.io/component'] === 'etcd');
    expect(etcd.spec.replicas).toBe('3');
    expect(podSpec(etcd).topology_spread_constraint[0].topology_key).toBe('topology.kubernetes.io/zone');
    const initialCluster = podSpec(etcd).container[0].args[podSpec(etcd).container[0].args.indexOf('--initial-cluster') + 1];
    expect(initialCluster.split(',')).toHaveLength(3);
  });

  it('has disruption budgets for every component and each zone\'s gateways', () => {
    const { config } = multiAz();
    const budgets = resourceList(config, 'kubernetes_pod_disruption_budget_v1');
    const by = (component: string) => budgets.filter((b) => b.spec.selector.match_labels['app.kubernetes.io/component'] === component);
    expect(by('postgres')).toMatchObject([{ spec: { max_unavailable: '1' } }]);
    expect(by('etcd')).toMatchObject([{ spec: { min_available: '2' } }]);
    expect(by('orchestrator')).toMatchObject([{ spec: { max_unavailable: '1' } }]);
    expect(by('gateway').map((b) => b.spec.selector.match_labels['polygres.dev/zone']).sort()).toEqual(['us-east-1a', 'us-east-1b', 'us-east-1c']);
  });

  it('lets only gateways reach the poolers and only instance pods reach Postgres', () => {
    const { config } = multiAz();
    const policies = resourceList(config, 'kubernetes_network_policy_v1');
    const postgres = policies.find((p) => p.spec.pod_selector.match_labels['app.kubernetes.io/component'] === 'postgres');
    const allowed = (port: number) => postgres.spec.ingress
      .filter((rule: Json) => rule.ports.some((p: Json) => p.port === String(port)))
      .flatMap((rule: Json) => rule.from.map((peer: Json) => peer.pod_selector.match_labels['app.kubernetes.io/component']));
    expect(allowed(6432)).toEqual(['gateway']);
    expect(allowed(5432)).toEqual(['postgres']);
    expect(postgres.spec.policy_types).toEqual(['Ingress']);
    for (const component of ['etcd', 'orchestrator', 'gateway']) {
      expect(policies.some((p) => p.spec.pod_selector.match_labels['app.kubernetes.io/component'] === component)).toBe(true);
    }
  });

  it('sizes Postgres memory to its container, the user’s parameters first', () => {
    const { config } = synthCluster({
      zones: zones(),
      durability: DurabilityPolicy.atLeast(2),
      target: Target.kubernetes({ namespace: 'db' }),
      postgres: { resources: { memory: '8Gi' }, parameters: { effective_cache_size: '5GB' } },
    });
    const [configMap] = resourceList(config, 'kubernetes_config_map_v1');
    const { spec } = validateSpec(JSON.parse(configMap.data['spec.json']));
    expect(spec.postgres.parameters).toMatchObject({ shared_buffers: '2048MB', effective_cache_size: '5GB' });
  });

  it('stores a ClusterSpec the runtime validates, and a layout that matches it', () => {
    const { config, cluster } = multiAz();
    const [configMap] = resourceList(config, 'kubernetes_config_map_v1');
    const { spec, warnings } = validateSpec(JSON.parse(configMap.data['spec.json']));
    expect(warnings).toEqual([]);
    expect(spec.durability).toEqual({ policy: 'surviveZoneFailure' });
    expect(spec.instances.map((i) => `${i.name}@${i.zone}`)).toEqual(['us-east-1a-0@us-east-1a', 'us-east-1a-1@us-east-1a', 'us-east-1b-0@us-east-1b', 'us-east-1c-0@us-east-1c']);
    expect(spec.zones[2]!.kubernetes).toEqual({ zoneLabelValue: 'use1-az3', storageClass: 'gp3' });
    expect(spec.gateway.tls).toEqual({ mode: 'files', certFile: '/etc/polygres/tls/tls.crt', keyFile: '/etc/polygres/tls/tls.key', caFile: '/etc/polygres/tls/ca.crt', required: true });
    expect(spec.backup?.encryption).toEqual({ passphraseSecret: 'orders-backup-passphrase' });
    // Postgres is sized to its container (1Gi by default), not left at 128MB of shared buffers.
    expect(spec.postgres.parameters).toMatchObject({ shared_buffers: '256MB', effective_cache_size: '768MB' });
    expect(JSON.parse(cluster.specJson!)).toEqual(JSON.parse(configMap.data['spec.json']));
    const layout = JSON.parse(configMap.data['layout.json']);
    expect(layout.instances.map((i: Json) => i.name)).toEqual(spec.instances.map((i) => i.name));
    expect(layout.instances[0].host).toBe('orders-us-east-1a-0-0.orders-us-east-1a-0.db.svc.cluster.local');
    expect(layout.specFile).toBe('/etc/polygres/spec.json');
  });

  it('never writes a secret value: every Secret value is a Terraform reference', () => {
    const { config, json } = multiAz();
    const secrets = resourceList(config, 'kubernetes_secret_v1');
    expect(secrets.map((s) => s.metadata.name).sort()).toEqual(['orders-backup-passphrase', 'orders-etcd-tls', 'orders-gateway-tls', 'orders-internal', 'orders-internal-admin', 'orders-internal-tls', 'orders-user-app']);
    for (const secret of secrets) {
      for (const [key, value] of Object.entries<string>(secret.data)) {
        if (key === 'username') continue;
        expect(value, `${secret.metadata.name}/${key}`).toMatch(/^\$\{(random_password|tls_[a-z_]+|jsonencode\(\{.*random_password)[^}]*\}?.*\}$/s);
      }
    }
    for (const password of resourceList(config, 'random_password')) expect(Object.keys(password)).not.toContain('result');
    expect(json).not.toMatch(/BEGIN [A-Z ]*PRIVATE KEY/);
    // Backup credentials reach the pods from Secrets, never as values.
    const instance = resourceList(config, 'kubernetes_stateful_set_v1').find((s) => labelsOf(s)['app.kubernetes.io/component'] === 'postgres');
    const env = podSpec(instance).container[0].env as Json[];
    expect(env.find((e) => e.name === 'POLYGRES_SECRET_ORDERS_S3_KEY').value_from.secret_key_ref).toEqual({ name: 'orders-s3', key: 'key' });
    expect(env.find((e) => e.name === 'POLYGRES_SECRET_ORDERS_S3').value).toBe('{"key":"$(POLYGRES_SECRET_ORDERS_S3_KEY)","keySecret":"$(POLYGRES_SECRET_ORDERS_S3_KEY_SECRET)"}');
  });

  it('mounts the database passwords only into instance pods: gateways and orchestrators get the admin token alone', () => {
    const { config } = multiAz();
    const secrets = Object.fromEntries(resourceList(config, 'kubernetes_secret_v1').map((secret) => [secret.metadata.name, secret.data]));
    expect(Object.keys(secrets['orders-internal-admin'])).toEqual(['secrets.json']);
    expect(secrets['orders-internal-admin']['secrets.json']).toMatch(/^\$\{jsonencode\(\{"adminToken" = random_password\.[^}]*\}\)\}$/);
    expect(secrets['orders-internal']['secrets.json']).toContain('superuserPassword');
    for (const type of ['kubernetes_stateful_set_v1', 'kubernetes_deployment_v1']) {
      for (const workload of resourceList(config, type)) {
        const component = labelsOf(workload)['app.kubernetes.io/component'];
        const mounted = (podSpec(workload).volume as Json[]).find((volume) => volume.name === 'secrets')?.secret.secret_name;
        if (component === 'etcd') expect(mounted).toBeUndefined();
        else expect(mounted, component).toBe(component === 'postgres' ? 'orders-internal' : 'orders-internal-admin');
      }
    }
  });

  it('never writes to the image: every container has a read-only root, and scratch files go to an emptyDir /tmp', () => {
    const { config } = multiAz();
    for (const type of ['kubernetes_stateful_set_v1', 'kubernetes_deployment_v1', 'kubernetes_job_v1']) {
      for (const workload of resourceList(config, type)) {
        const spec = podSpec(workload);
        for (const container of [...(spec.init_container ?? []), ...spec.container] as Json[]) {
          expect(container.security_context.read_only_root_filesystem, `${workload.metadata.name}/${container.name}`).toBe(true);
        }
        if (labelsOf(workload)['app.kubernetes.io/component'] === 'etcd') continue; // etcd writes only its data volume
        expect((spec.volume as Json[]).find((volume) => volume.name === 'tmp')).toEqual({ name: 'tmp', empty_dir: {} });
        for (const container of spec.container as Json[]) expect(container.volume_mount).toContainEqual({ name: 'tmp', mount_path: '/tmp' });
      }
    }
  });

  it('gives the pods a least-privilege identity: only the orchestrators get a token, to roll the instance pods', () => {
    const { config } = multiAz();
    const accounts = Object.fromEntries(resourceList(config, 'kubernetes_service_account_v1').map((account) => [account.metadata.name, account]));
    expect(accounts['orders-runtime'].automount_service_account_token).toBe(false);
    expect(accounts['orders-orchestrator'].automount_service_account_token).toBe(true);
    const roles = Object.fromEntries(resourceList(config, 'kubernetes_role_v1').map((role) => [role.metadata.name, role.rule]));
    expect(roles['orders-runtime']).toEqual([{ api_groups: [''], resources: ['configmaps'], resource_names: ['orders-config'], verbs: ['get'] }]);
    expect(roles['orders-orchestrator']).toEqual([
      { api_groups: [''], resources: ['pods'], verbs: ['list'] },
      { api_groups: ['apps'], resources: ['statefulsets'], verbs: ['list'] },
      // Deleting is limited to the instance pods (`<StatefulSet>-0`).
      { api_groups: [''], resources: ['pods'], resource_names: ['orders-us-east-1a-0-0', 'orders-us-east-1a-1-0', 'orders-us-east-1b-0-0', 'orders-us-east-1c-0-0'], verbs: ['delete'] },
    ]);
    expect(resourceList(config, 'kubernetes_role_binding_v1')).toHaveLength(2);
    for (const type of ['kubernetes_stateful_set_v1', 'kubernetes_deployment_v1']) {
      for (const workload of resourceList(config, type)) {
        const orchestrator = labelsOf(workload)['app.kubernetes.io/component'] === 'orchestrator';
        expect(podSpec(workload).service_account_name).toBe(orchestrator ? 'orders-orchestrator' : 'orders-runtime');
        expect(podSpec(workload).automount_service_account_token).toBe(orchestrator);
        expect(podSpec(workload).security_context.run_as_non_root).toBe(true);
      }
    }
    // The orchestrators find the instance pods by the labels the layout names.
    const layout = JSON.parse(resourceList(config, 'kubernetes_config_map_v1')[0].data['layout.json']);
    expect(layout.kubernetes.instanceSelector).toEqual({ 'app.kubernetes.io/name': 'polygres', 'app.kubernetes.io/instance': 'orders', 'app.kubernetes.io/component': 'postgres' });
  });

  it('creates the declared users and databases with a Job reading passwords from Secrets', () => {
    const { config } = multiAz();
    const [job] = resourceList(config, 'kubernetes_job_v1');
    const container = job.spec.template.spec.container[0];
    expect(container.args[0]).toContain('CREATE DATABASE "orders"');
    expect(container.args[0]).toContain(`ALTER ROLE "app" WITH LOGIN PASSWORD :'password_0'`);
    expect(container.env).toContainEqual({ name: 'USER_PASSWORD_0', value_from: { secret_key_ref: { name: 'orders-user-app', key: 'password' } } });
  });

  it('outputs the gateway endpoints and secret names', () => {
    const { config } = multiAz();
    const outputs = Object.values(config.output ?? {}).map((o: Json) => o.value);
    expect(outputs).toContain('orders-gateway.db.svc.cluster.local:5432');
    expect(outputs).toContainEqual({
      'us-east-1a': 'orders-gateway-us-east-1a.db.svc.cluster.local:5432',
      'us-east-1b': 'orders-gateway-us-east-1b.db.svc.cluster.local:5432',
      'us-east-1c': 'orders-gateway-us-east-1c.db.svc.cluster.local:5432',
    });
    expect(outputs).toContain('orders-user-app');
    expect(outputs).toContainEqual({ superuser: { secret: 'orders-internal', key: 'superuser-password' }, tls: expect.stringMatching(/^\$\{kubernetes_secret_v1\..*\.metadata\[0\]\.name\}$/) });
  });

  it('locks etcd to Polygres: client certificates required, its own authority, probes on the metrics port', () => {
    const { config } = multiAz();
    const [etcd] = resourceList(config, 'kubernetes_stateful_set_v1').filter((s) => labelsOf(s)['app.kubernetes.io/component'] === 'etcd');
    const container = podSpec(etcd).container[0];
    const args: string[] = container.args;
    for (const flag of ['--client-cert-auth', '--peer-client-cert-auth', '--trusted-ca-file', '--peer-trusted-ca-file']) expect(args).toContain(flag);
    expect(args[args.indexOf('--listen-client-urls') + 1]).toMatch(/^https:/);
    expect(args[args.indexOf('--initial-cluster') + 1]).not.toMatch(/http:/);
    expect(container.readiness_probe.http_get.port).toBe('2381');
    // Liveness must not depend on quorum (etcd 3.4 ignores ?serializable): the port answers.
    expect(container.liveness_probe.tcp_socket[0].port).toBe('2381');
    expect(container.liveness_probe.http_get).toBeUndefined();
    // Two members in one zone while another has none would lose quorum with that zone.
    expect(podSpec(etcd).topology_spread_constraint[0].when_unsatisfiable).toBe('DoNotSchedule');
    expect(podSpec(etcd).volume).toContainEqual(expect.objectContaining({ name: 'etcd-tls', secret: expect.objectContaining({ secret_name: 'orders-etcd-tls' }) }));
    const secret = resourceList(config, 'kubernetes_secret_v1').find((s) => s.metadata.name === 'orders-etcd-tls');
    expect(Object.keys(secret.data).sort()).toEqual(['ca.crt', 'client.crt', 'client.key', 'server.crt', 'server.key']);
    // Every Polygres pod presents the client certificate; the layout says where it is.
    const workloads = [...resourceList(config, 'kubernetes_stateful_set_v1'), ...resourceList(config, 'kubernetes_deployment_v1')].filter((w) => podSpec(w).container[0].command[0] === 'polygres');
    expect(workloads.length).toBeGreaterThan(3);
    for (const workload of workloads) expect(podSpec(workload).container[0].volume_mount).toContainEqual(expect.objectContaining({ name: 'etcd-tls', mount_path: '/etc/polygres/etcd-tls' }));
    const [configMap] = resourceList(config, 'kubernetes_config_map_v1');
    expect(JSON.parse(configMap.data['layout.json']).etcd.tls).toMatchObject({ caFile: '/etc/polygres/etcd-tls/ca.crt', clientCertFile: '/etc/polygres/etcd-tls/client.crt' });
  });

  it('the services talk to each other over TLS: one certificate of the internal authority names every host of the layout, in every runtime pod', () => {
    const { config } = multiAz();
    const [configMap] = resourceList(config, 'kubernetes_config_map_v1');
    const layout = JSON.parse(configMap.data['layout.json']);
    expect(layout.internalTls).toEqual({ caFile: '/etc/polygres/internal-tls/ca.crt', certFile: '/etc/polygres/internal-tls/tls.crt', keyFile: '/etc/polygres/internal-tls/tls.key' });
    const secret = resourceList(config, 'kubernetes_secret_v1').find((s) => s.metadata.name === 'orders-internal-tls');
    expect(Object.keys(secret.data).sort()).toEqual(['ca.crt', 'tls.crt', 'tls.key']);
    // Signed by the same authority as etcd's certificates, for every host a service is dialled by.
    const etcdSecret = resourceList(config, 'kubernetes_secret_v1').find((s) => s.metadata.name === 'orders-etcd-tls');
    expect(secret.data['ca.crt']).toBe(etcdSecret.data['ca.crt']);
    const request = Object.entries(resources(config, 'tls_cert_request')).find(([id]) => id.includes('service'))![1];
    const hosts = [...layout.instances, ...layout.gateways, ...layout.orchestrators].map((service: Json) => service.host);
    expect([...request.dns_names].sort()).toEqual([...hosts].sort());
    const workloads = [...resourceList(config, 'kubernetes_stateful_set_v1'), ...resourceList(config, 'kubernetes_deployment_v1')].filter((w) => podSpec(w).container[0].command[0] === 'polygres');
    for (const workload of workloads) {
      expect(podSpec(workload).container[0].volume_mount).toContainEqual(expect.objectContaining({ name: 'internal-tls', mount_path: '/etc/polygres/internal-tls' }));
      // Group-readable, root's: Postgres takes a key file like that (0640 at most).
      expect(podSpec(workload).volume).toContainEqual({ name: 'internal-tls', secret: expect.objectContaining({ secret_name: 'orders-internal-tls', default_mode: '0440' }) });
    }
  });

  it('uses an existing TLS Secret instead of generating one when named', () => {
    const { config } = synthCluster({ zones: zones(), durability: DurabilityPolicy.atLeast(2), target: Target.kubernetes({ tlsSecretName: 'orders-cert' }) });
    expect(Object.keys(resources(config, 'tls_private_key')).filter((id) => id.includes('gateway'))).toEqual([]);
    const gateway = resourceList(config, 'kubernetes_deployment_v1').find((d) => labelsOf(d)['app.kubernetes.io/component'] === 'gateway');
    expect(podSpec(gateway).volume).toContainEqual(expect.objectContaining({ name: 'tls', secret: expect.objectContaining({ secret_name: 'orders-cert' }) }));
  });

  it('keeps every name within Kubernetes limits at the longest names synth accepts', () => {
    const { config } = synthCluster({
      clusterName: 'orders-primary-cluster-production-regio',
      zones: [Zone.of('us-east-1a'), Zone.of('us-east-1b'), Zone.of('us-east-1c')],
      target: Target.kubernetes({ namespace: 'db' }),
    });
    for (const [type, limit] of [['kubernetes_service_v1', 63], ['kubernetes_stateful_set_v1', 52], ['kubernetes_deployment_v1', 63]] as const) {
      for (const resource of resourceList(config, type)) {
        expect(resource.metadata.name.length, resource.metadata.name).toBeLessThanOrEqual(limit);
        expect(resource.metadata.name).toMatch(/^[a-z]([-a-z0-9]*[a-z0-9])?$/);
      }
    }
  });

  it('offers the escape hatches the README documents', () => {
    let secretName: string | undefined;
    const { config } = synthCluster({ zones: zones(), target: Target.kubernetes({ namespace: 'db' }) }, (cluster) => {
      const k8s = cluster.kubernetes!;
      k8s.gatewayService('us-east-1a').addOverride('metadata.annotations', { 'service.beta.kubernetes.io/aws-load-balancer-internal': 'true' });
      k8s.instanceStatefulSet('us-east-1a-1').addOverride('spec.template.spec.priority_class_name', 'database');
      expect(cluster.node.findChild('Kubernetes').node.findChild('etcd')).toBe(k8s.etcd);
      expect(() => k8s.gatewayDeployment('eu-west-1a')).toThrow(/zone "eu-west-1a" is not part of this cluster \(known: us-east-1a, us-east-1b, us-east-1c\)/);
      cluster.addDatabase('shop');
      secretName = cluster.addUser('shop_app', { databases: ['shop'] }).secretName;
    });
    expect(secretName).toBe('orders-user-shop-app');
    const service = resourceList(config, 'kubernetes_service_v1').find((s) => s.metadata.name === 'orders-gateway-us-east-1a');
    expect(service.metadata.annotations).toEqual({ 'service.beta.kubernetes.io/aws-load-balancer-internal': 'true' });
    const set = resourceList(config, 'kubernetes_stateful_set_v1').find((s) => s.metadata.name === 'orders-us-east-1a-1');
    expect(set.spec.template.spec.priority_class_name).toBe('database');
  });

  it('gives every Polygres pod the priority class and tolerations the target names', () => {
    const tolerations = [{ key: 'dedicated', operator: 'Equal', value: 'postgres', effect: 'NoSchedule' }, { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 30 }];
    const { config } = synthCluster({ zones: zones(), target: Target.kubernetes({ namespace: 'db', priorityClassName: 'database-critical', tolerations }) });
    const workloads = [...resourceList(config, 'kubernetes_stateful_set_v1'), ...resourceList(config, 'kubernetes_deployment_v1'), ...resourceList(config, 'kubernetes_job_v1')];
    expect(workloads.length).toBeGreaterThan(8);
    for (const workload of workloads) {
      expect(podSpec(workload).priority_class_name).toBe('database-critical');
      expect(podSpec(workload).toleration).toEqual([
        { key: 'dedicated', operator: 'Equal', value: 'postgres', effect: 'NoSchedule' },
        { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', toleration_seconds: '30' },
      ]);
    }
  });

  it('rolls gateways and orchestrators, and makes a new instance revision for the orchestrators to roll, when the spec they start with changes', () => {
    const checksums = (poolSize: number) => {
      const { config } = synthCluster({ zones: zones(), target: Target.kubernetes({ namespace: 'db' }), pooler: { poolSize } });
      const instances = resourceList(config, 'kubernetes_stateful_set_v1').filter((s) => labelsOf(s)['app.kubernetes.io/component'] === 'postgres');
      expect(instances).toHaveLength(4);
      return [...resourceList(config, 'kubernetes_deployment_v1'), ...instances].map((d) => d.spec.template.metadata.annotations['polygres.dev/config-checksum']);
    };
    const before = checksums(20);
    expect(before.length).toBeGreaterThanOrEqual(10);
    expect(new Set(before).size).toBe(1);
    expect(before[0]).toMatch(/^[0-9a-f]{64}$/);
    expect(checksums(20)).toEqual(before);
    expect(checksums(40)[0]).not.toBe(before[0]);
  });

  it('uses an existing namespace and plain connections when told to', () => {
    const { config } = synthCluster({ zones: zones(), target: Target.kubernetes({ namespace: 'shared', createNamespace: false }), gateway: { tls: false } }, (cluster) => cluster.addUser('app'));
    expect(resources(config, 'kubernetes_namespace_v1')).toEqual({});
    expect(Object.keys(resources(config, 'tls_private_key')).filter((id) => id.includes('gateway'))).toEqual([]);
    for (const type of ['kubernetes_stateful_set_v1', 'kubernetes_deployment_v1', 'kubernetes_service_v1', 'kubernetes_secret_v1', 'kubernetes_config_map_v1']) {
      for (const resource of resourceList(config, type)) expect(resource.metadata.namespace).toBe('shared');
    }
    const [configMap] = resourceList(config, 'kubernetes_config_map_v1');
    expect(JSON.parse(configMap.data['spec.json']).gateway.tls).toEqual({ mode: 'disabled', required: false });
    const gateway = resourceList(config, 'kubernetes_deployment_v1').find((d) => labelsOf(d)['app.kubernetes.io/component'] === 'gateway');
    expect(podSpec(gateway).volume.map((v: Json) => v.name)).not.toContain('tls');
    const [job] = resourceList(config, 'kubernetes_job_v1');
    expect(job.spec.template.spec.container[0].args[0]).toContain('sslmode=disable');
  });
});

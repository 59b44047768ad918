/**
 * The Kubernetes rendering of a cluster: every resource, under one construct, with typed
 * getters for the ones users most often adjust (escape hatches: see the README).
 */
import type { ConfigMapV1 } from '@cdktf/provider-kubernetes/lib/config-map-v1';
import type { DeploymentV1 } from '@cdktf/provider-kubernetes/lib/deployment-v1';
import { NamespaceV1 } from '@cdktf/provider-kubernetes/lib/namespace-v1';
import type { ServiceV1 } from '@cdktf/provider-kubernetes/lib/service-v1';
import type { SecretV1 } from '@cdktf/provider-kubernetes/lib/secret-v1';
import type { StatefulSetV1 } from '@cdktf/provider-kubernetes/lib/stateful-set-v1';
import type { Password } from '@cdktf/provider-random/lib/password';
import { TerraformOutput } from 'cdktf';
import { Construct } from 'constructs';
import { buildClusterSpec, encryptionSecretName } from '../../model/build-spec';
import type { IClusterDeclarationSource } from '../../model/cluster-declaration';
import type { ClusterSpecDocument } from '../../model/cluster-spec';
import type { KubernetesTargetProps } from '../../model/target-props';
import { renderBootstrapJob } from './bootstrap-job';
import { renderConfigMap } from './config-map';
import { renderDisruptionBudgets } from './disruption-budgets';
import { renderEtcd } from './etcd';
import { renderGateways } from './gateways';
import { renderInstances } from './instances';
import { renderMonitoring } from './monitoring';
import { ClusterNames } from './naming';
import { renderNetworkPolicies } from './network-policies';
import { renderOrchestrators } from './orchestrators';
import { renderOrchestratorRbac, renderRbac } from './rbac';
import type { RenderContext } from './render-context';
import { GeneratedInternalTls, GeneratedGatewayTls, internalSecret, passwordSecret } from './secrets';
import { PATHS, resolveSettings } from './settings';

/**
 * The Kubernetes resources of a `PolygresCluster` (`cluster.kubernetes`): every resource is a
 * child construct, and the ones users most often adjust have typed getters.
 */
export class KubernetesCluster extends Construct {
  /** The ClusterSpec in the ConfigMap, as JSON. */
  public readonly specJson: string;
  private readonly spec: ClusterSpecDocument;
  /** The ConfigMap holding `spec.json` and `layout.json`. */
  public readonly configMap: ConfigMapV1;
  /** The Secret holding the runtime's `secrets.json` and the superuser password. */
  public readonly internalSecret: SecretV1;
  /** The etcd StatefulSet (three members). */
  public readonly etcd: StatefulSetV1;
  private readonly context: RenderContext;
  private readonly instances: Map<string, StatefulSetV1>;
  private readonly gateways: Map<string, DeploymentV1>;
  private readonly gatewayServices: Map<string, ServiceV1>;
  private readonly orchestrators: Map<string, DeploymentV1>;
  private readonly source: IClusterDeclarationSource;
  private bootstrapRendered = false;
  /** Each declared user's generated password, for the bootstrap Job's checksum. */
  private readonly userPasswords = new Map<string, Password>();

  /** `source`: the cluster whose declaration this renders, read again at synth so later additions (users, databases) count. */
  constructor(scope: Construct, id: string, source: IClusterDeclarationSource, props: KubernetesTargetProps) {
    super(scope, id);
    this.source = source;
    const initial = this.source._declaration();
    const settings = resolveSettings(initial.name, props);
    const namespace = settings.createNamespace
      ? new NamespaceV1(this, 'namespace', { metadata: { name: settings.namespace, labels: { 'app.kubernetes.io/name': 'polygres', 'app.kubernetes.io/instance': initial.name } } }).metadata.name
      : settings.namespace;
    const names = new ClusterNames(initial.name, settings.namespace, settings.clusterDomain);
    const tlsOn = initial.gateway.tls ?? true;
    this.spec = buildClusterSpec(initial, {
      kubernetesHints: true,
      ...(settings.storageClass ? { defaultStorageClass: settings.storageClass } : {}),
      ...(tlsOn ? { tlsFiles: { certFile: `${PATHS.tls}/tls.crt`, keyFile: `${PATHS.tls}/tls.key`, caFile: `${PATHS.tls}/ca.crt` } } : {}),
    });
    this.specJson = `${JSON.stringify(this.spec, null, 2)}\n`;
    const base = { declaration: initial, spec: this.spec, names, settings, namespace };
    let tlsSecretName: string | undefined;
    if (tlsOn) {
      tlsSecretName = settings.tlsSecretName ?? new GeneratedGatewayTls(this, 'gateway-tls', {
        names,
        namespace,
        dnsNames: [
          names.fqdn(names.gatewayAll()),
          ...initial.zones.map((zone) => names.fqdn(names.gateway(zone.name))),
          names.gatewayAll(),
          `${names.gatewayAll()}.${settings.namespace}`,
          ...initial.zones.map((zone) => names.gateway(zone.name)),
        ],
      }).secret.metadata.name;
    }
    this.context = { ...base, ...(tlsSecretName ? { tlsSecretName } : {}) };

    renderRbac(this, this.context);
    renderOrchestratorRbac(this, this.context);
    this.configMap = renderConfigMap(this, this.context);
    this.internalSecret = internalSecret(this, names, namespace);
    // The construct id stays 'etcd-tls': the authority was etcd's first, and its Terraform
    // addresses must not change under a running cluster.
    new GeneratedInternalTls(this, 'etcd-tls', {
      names,
      namespace,
      etcdDnsNames: [names.fqdn(names.etcd()), `*.${names.fqdn(names.etcdPeers())}`, names.etcd(), 'localhost'],
      serviceDnsNames: internalServiceNames(names, this.spec),
    });
    if (initial.backup?.encrypted) {
      passwordSecret(this, 'backup-passphrase', { name: encryptionSecretName(names.cluster), namespace, labels: names.common(), key: 'passphrase' });
    }
    this.etcd = renderEtcd(this, this.context);
    this.instances = renderInstances(this, this.context);
    const gateways = renderGateways(this, this.context);
    this.gateways = gateways.deployments;
    this.gatewayServices = gateways.services;
    this.orchestrators = renderOrchestrators(this, this.context);
    renderDisruptionBudgets(this, this.context);
    renderNetworkPolicies(this, this.context);
    renderMonitoring(this, this.context);

    const port = this.spec.gateway.port;
    new TerraformOutput(this, 'gateway-endpoint', {
      value: `${names.fqdn(names.gatewayAll())}:${port}`,
      description: `Cluster-wide gateway of ${names.cluster} (any zone)`,
    });
    new TerraformOutput(this, 'zone-gateway-endpoints', {
      value: Object.fromEntries(initial.zones.map((zone) => [zone.name, `${names.fqdn(names.gateway(zone.name))}:${port}`])),
      description: 'Gateway of each zone: clients connect to their own zone',
    });
    new TerraformOutput(this, 'secret-names', {
      value: {
        superuser: { secret: names.internalSecret(), key: 'superuser-password' },
        ...(tlsSecretName ? { tls: tlsSecretName } : {}),
      },
      description: 'Kubernetes Secrets holding the cluster credentials (values never in the configuration)',
    });
  }

  /** The StatefulSet of one instance (`<zone>-<n>`). */
  public instanceStatefulSet(instance: string): StatefulSetV1 {
    return found(this.instances.get(instance), `instance "${instance}"`, [...this.instances.keys()]);
  }

  /** The gateway Deployment of a zone. */
  public gatewayDeployment(zone: string): DeploymentV1 {
    return found(this.gateways.get(zone), `zone "${zone}"`, [...this.gateways.keys()]);
  }

  /** The gateway Service of a zone. */
  public gatewayService(zone: string): ServiceV1 {
    return found(this.gatewayServices.get(zone), `zone "${zone}"`, [...this.gatewayServices.keys()]);
  }

  /** The orchestrator Deployment of a zone. */
  public orchestratorDeployment(zone: string): DeploymentV1 {
    return found(this.orchestrators.get(zone), `zone "${zone}"`, [...this.orchestrators.keys()]);
  }

  /**
   * A user's Secret (keys `username`, `password`) and, on first use, the bootstrap Job.
   * @internal
   */
  public _addUser(user: string): string {
    this.ensureBootstrap();
    const name = this.context.names.userSecret(user);
    const { password } = passwordSecret(this, `user-${user}`, {
      name,
      namespace: this.context.namespace,
      labels: this.context.names.common(),
      key: 'password',
      extra: { username: user },
    });
    this.userPasswords.set(user, password);
    new TerraformOutput(this, `user-${user}-secret`, { value: name, description: `Secret with the password of role ${user}` });
    return name;
  }

  /** @internal */
  public _addDatabase(): void {
    this.ensureBootstrap();
  }

  private ensureBootstrap(): void {
    if (this.bootstrapRendered) return;
    this.bootstrapRendered = true;
    renderBootstrapJob(this, this.context, () => this.source._declaration(), (user) => this.userPasswords.get(user)?.result);
  }
}

/**
 * Every host a Polygres service is dialled by (layout.ts): each instance pod's name under its
 * headless Service, each zone's gateway and orchestrator Service.
 */
function internalServiceNames(names: ClusterNames, spec: ClusterSpecDocument): string[] {
  return [
    ...spec.instances.map((instance) => names.instanceHost(instance.name)),
    ...spec.zones.map((zone) => names.fqdn(names.gateway(zone.name))),
    ...spec.zones.map((zone) => names.fqdn(names.orchestrator(zone.name))),
  ];
}

function found<T>(value: T | undefined, what: string, known: string[]): T {
  if (value === undefined) throw new Error(`${what} is not part of this cluster (known: ${known.join(', ')})`);
  return value;
}

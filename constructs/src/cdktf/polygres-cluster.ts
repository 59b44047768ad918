import { Annotations } from 'cdktf';
import { Construct } from 'constructs';
import type { BackupPolicy } from '../model/backup-policy';
import { checkDeclaration } from '../model/check-declaration';
import type { ClusterDeclaration, IClusterDeclarationSource, UserDeclaration } from '../model/cluster-declaration';
import { DurabilityPolicy } from '../model/durability-policy';
import type { GatewayOptions } from '../model/gateway-options';
import type { PoolerOptions } from '../model/pooler-options';
import type { PostgresOptions } from '../model/postgres-options';
import { type DeclarationProblem, formatDeclarationProblem } from '../model/problem';
import type { Zone } from '../model/zone';
import { KubernetesCluster } from '../render/kubernetes/kubernetes-cluster';
import { kubernetesNameProblems } from '../render/kubernetes/name-limits';
import { LocalCluster } from '../render/local/local-cluster';
import { type Target, TargetKind } from './target';
import type { PolygresUser, UserOptions } from './user-options';

/** Props of `PolygresCluster`. */
export interface PolygresClusterProps {
  /**
   * Cluster name: a lower-case DNS label, used in every resource name.
   * @default the construct id, lower-cased
   */
  readonly clusterName?: string;
  /** The zones and their instances. */
  readonly zones: Zone[];
  /**
   * When a commit is acknowledged.
   * @default DurabilityPolicy.atLeast(2)
   */
  readonly durability?: DurabilityPolicy;
  /** Where the cluster runs. */
  readonly target: Target;
  /**
   * Postgres parameters, resources and storage.
   * @default Postgres 15 with Polygres' settings, cpu 500m, memory 1Gi, 10Gi of storage
   */
  readonly postgres?: PostgresOptions;
  /**
   * Connection pooling.
   * @default pools of 20 server connections per (user, database)
   */
  readonly pooler?: PoolerOptions;
  /**
   * The zone entry points.
   * @default port 5432, TLS, SCRAM-SHA-256, two gateways per zone on Kubernetes
   */
  readonly gateway?: GatewayOptions;
  /**
   * Backups with pgBackRest.
   * @default no backups
   */
  readonly backup?: BackupPolicy;
}

/**
 * A Polygres cluster: Postgres instances with a pooler each across zones, a gateway per zone,
 * orchestrators that fail over under the durability policy, and optional backups.
 *
 * The declaration is checked at synth with the runtime's rules; every error names the
 * construct path, the prop and the fix.
 *
 * @example
 * new PolygresCluster(stack, 'orders', {
 *   zones: [Zone.of('us-east-1a'), Zone.of('us-east-1b'), Zone.of('us-east-1c')],
 *   durability: DurabilityPolicy.surviveZoneFailure(),
 *   target: Target.kubernetes({ namespace: 'orders' }),
 * });
 */
export class PolygresCluster extends Construct implements IClusterDeclarationSource {
  /** The cluster name. */
  public readonly clusterName: string;
  /** The target it renders for. */
  public readonly target: Target;
  /** The Kubernetes resources (Kubernetes target, valid declaration); see the README's escape hatches. */
  public readonly kubernetes?: KubernetesCluster;
  /** The local target's resources and ClusterSpec file (valid declaration). */
  public readonly local?: LocalCluster;

  private readonly props: PolygresClusterProps;
  private readonly users: UserDeclaration[] = [];
  private readonly databases: string[] = [];
  private warned = false;

  constructor(scope: Construct, id: string, props: PolygresClusterProps) {
    super(scope, id);
    this.props = props;
    this.clusterName = props.clusterName ?? id.toLowerCase();
    this.target = props.target;
    this.node.addValidation({ validate: () => this.validate() });
    // An invalid declaration is not rendered (its names may clash); synth reports it instead.
    if (this.problems().some((problem) => problem.severity === 'error')) return;
    if (props.target.kind === TargetKind.KUBERNETES) {
      this.kubernetes = new KubernetesCluster(this, 'Kubernetes', this, props.target.kubernetesProps ?? {});
    } else {
      this.local = new LocalCluster(this, 'Local', this, props.target.localProps ?? {});
    }
  }

  /** The ClusterSpec this cluster renders (what the runtime runs), as JSON; undefined when the declaration is invalid. */
  public get specJson(): string | undefined {
    return this.kubernetes?.specJson ?? this.local?.specJson;
  }

  /**
   * Adds a login role with a generated password kept in a Secret, with privileges on
   * `options.databases`. Created by a Job through the gateway once the cluster serves.
   */
  public addUser(name: string, options: UserOptions = {}): PolygresUser {
    const duplicate = this.users.some((user) => user.name === name);
    const user = { name, databases: [...(options.databases ?? [])] };
    this.users.push(user);
    if (duplicate) return { name };
    this.local?._addUser(name);
    return this.kubernetes ? { name, secretName: this.kubernetes._addUser(name) } : { name };
  }

  /** Adds a database (created by the same Job as the users). */
  public addDatabase(name: string): void {
    const duplicate = this.databases.includes(name);
    this.databases.push(name);
    if (duplicate) return;
    this.kubernetes?._addDatabase();
    this.local?._addDatabase(name);
  }

  /**
   * The declaration as the checks and renderers read it.
   * @internal
   */
  public _declaration(): ClusterDeclaration {
    const { props } = this;
    const kubernetesProps = props.target.kubernetesProps;
    return {
      name: this.clusterName,
      zones: props.zones,
      durability: props.durability ?? DurabilityPolicy.atLeast(2),
      postgres: props.postgres ?? {},
      pooler: props.pooler ?? {},
      gateway: props.gateway ?? {},
      ...(props.backup ? { backup: props.backup } : {}),
      ...(props.target.kind === TargetKind.KUBERNETES
        ? {
          kubernetes: {
            namespace: kubernetesProps?.namespace ?? this.clusterName,
            ...(kubernetesProps?.orchestratorResources ? { orchestratorResources: kubernetesProps.orchestratorResources } : {}),
            ...(kubernetesProps?.etcdResources ? { etcdResources: kubernetesProps.etcdResources } : {}),
            ...(kubernetesProps?.etcdStorageSize ? { etcdStorageSize: kubernetesProps.etcdStorageSize } : {}),
            ...(kubernetesProps?.serviceAccountAnnotations ? { serviceAccountAnnotations: { ...kubernetesProps.serviceAccountAnnotations } } : {}),
            ...(kubernetesProps?.monitoring ? { monitoring: kubernetesProps.monitoring } : {}),
            ...(kubernetesProps?.priorityClassName !== undefined ? { priorityClassName: kubernetesProps.priorityClassName } : {}),
            ...(kubernetesProps?.tolerations ? { tolerations: kubernetesProps.tolerations } : {}),
          },
        }
        : { local: { basePort: props.target.localProps?.basePort ?? 15432 } }),
      users: this.users,
      databases: this.databases,
    };
  }

  /** The runtime's rules, plus the target's own limits. */
  private problems(): DeclarationProblem[] {
    const declaration = this._declaration();
    const problems = checkDeclaration(declaration);
    // Joined names are only worth checking once the parts themselves are valid.
    if (declaration.kubernetes && problems.every((problem) => problem.severity !== 'error')) problems.push(...kubernetesNameProblems(declaration));
    return problems;
  }

  private validate(): string[] {
    const problems = this.problems();
    if (!this.warned) {
      this.warned = true;
      for (const warning of problems.filter((problem) => problem.severity === 'warning')) {
        Annotations.of(this).addWarning(formatDeclarationProblem(warning));
      }
    }
    return problems.filter((problem) => problem.severity === 'error').map(formatDeclarationProblem);
  }
}

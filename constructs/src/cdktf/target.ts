import type { KubernetesTargetProps, LocalTargetProps } from '../model/target-props';

/** The kinds of place a cluster can run. */
export enum TargetKind {
  /** Pods on a Kubernetes cluster, across its availability zones. */
  KUBERNETES = 'kubernetes',
  /** Supervised processes on one machine (`polygres up`). */
  LOCAL = 'local',
}

/**
 * Where a cluster runs, and how it is rendered.
 *
 * @example
 * Target.kubernetes({ namespace: 'orders', storageClass: 'gp3' })
 */
export class Target {
  /** Kubernetes across availability zones, rendered with @cdktf/provider-kubernetes resources. */
  public static kubernetes(props: KubernetesTargetProps = {}): Target {
    return new Target(TargetKind.KUBERNETES, props, undefined);
  }

  /** Processes on this machine: renders the ClusterSpec file `polygres up --spec` runs. */
  public static local(props: LocalTargetProps = {}): Target {
    return new Target(TargetKind.LOCAL, undefined, props);
  }

  /** Which target this is. */
  public readonly kind: TargetKind;
  /** Settings of a Kubernetes target. */
  public readonly kubernetesProps?: KubernetesTargetProps;
  /** Settings of a local target. */
  public readonly localProps?: LocalTargetProps;

  private constructor(kind: TargetKind, kubernetesProps: KubernetesTargetProps | undefined, localProps: LocalTargetProps | undefined) {
    this.kind = kind;
    this.kubernetesProps = kubernetesProps;
    this.localProps = localProps;
  }
}

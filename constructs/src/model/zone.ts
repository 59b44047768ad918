/** Options of `Zone.of`. */
export interface ZoneOptions {
  /**
   * How many Postgres instances (each with its pooler) run in this zone. They are named
   * `<zone>-0`, `<zone>-1`, ...
   * @default 1
   */
  readonly instances?: number;
  /**
   * Value of the zone label (`Target.kubernetes({ zoneLabel })`) that nodes of this zone carry.
   * @default the zone name
   */
  readonly labelValue?: string;
  /**
   * Extra node labels the pods of this zone must match (Kubernetes target).
   * @default no extra selector
   */
  readonly nodeSelector?: { [label: string]: string };
  /**
   * Storage class of the volumes of this zone's instances (Kubernetes target).
   * @default the target's `storageClass`
   */
  readonly storageClass?: string;
}

/**
 * An availability zone of a cluster and the Postgres instances it holds.
 *
 * @example
 * Zone.of('us-east-1a', { instances: 2 })
 */
export class Zone {
  /** A zone named `name` (a lower-case DNS label, unique in the cluster). */
  public static of(name: string, options: ZoneOptions = {}): Zone {
    return new Zone(name, options);
  }

  /** Zone name as declared. */
  public readonly name: string;
  /** Number of Postgres instances in the zone. */
  public readonly instanceCount: number;
  /** Value of the zone label nodes of this zone carry. */
  public readonly labelValue: string;
  /** Extra node selector, if any. */
  public readonly nodeSelector?: { [label: string]: string };
  /** Storage class of this zone's volumes, if set on the zone. */
  public readonly storageClass?: string;

  private constructor(name: string, options: ZoneOptions) {
    this.name = name;
    this.instanceCount = options.instances ?? 1;
    this.labelValue = options.labelValue ?? name;
    this.nodeSelector = options.nodeSelector;
    this.storageClass = options.storageClass;
  }

  /** Names of the zone's instances, as they appear in the ClusterSpec's `instances[]`. */
  public instanceNames(): string[] {
    const count = Number.isInteger(this.instanceCount) && this.instanceCount > 0 ? this.instanceCount : 0;
    return Array.from({ length: count }, (_, index) => `${this.name}-${index}`);
  }
}

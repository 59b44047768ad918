/** CPU and memory of one container, as Kubernetes quantities. */
export interface ContainerResources {
  /**
   * CPU requested, e.g. `500m` or `2`.
   * @default depends on the container (see the constructs README)
   */
  readonly cpu?: string;
  /**
   * Memory requested and limited to, e.g. `1Gi`.
   * @default depends on the container (see the constructs README)
   */
  readonly memory?: string;
  /**
   * CPU limit.
   * @default no CPU limit (throttling a primary hurts every client)
   */
  readonly cpuLimit?: string;
}

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };
const DECIMAL: Record<string, number> = { k: 1e3, M: 1e6, G: 1e9, T: 1e12 };

/** Bytes of a memory or storage quantity (`512Mi`, `1G`, `1073741824`), or undefined. */
export function bytesOf(quantity: string): number | undefined {
  const match = /^([0-9]+(?:\.[0-9]+)?)(Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(quantity.trim());
  if (!match) return undefined;
  const unit = match[2];
  return Number(match[1]) * (unit === undefined ? 1 : (BINARY[unit] ?? DECIMAL[unit] ?? 1));
}

/** Cores of a CPU quantity (`250m`, `0.5`, `2`), or undefined. */
export function coresOf(quantity: string): number | undefined {
  const match = /^([0-9]+(?:\.[0-9]+)?)(m)?$/.exec(quantity.trim());
  if (!match) return undefined;
  return Number(match[1]) / (match[2] ? 1000 : 1);
}

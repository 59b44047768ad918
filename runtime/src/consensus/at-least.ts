import type { DurabilityPolicy, PolicyFinding, PolicyNode, SyncConfig } from './policy';
import { standbysOf } from './nodes';

/** A commit is acknowledged only once `n` nodes, the primary included, have flushed it. */
export function atLeast(n: number): DurabilityPolicy {
  return {
    spec: { policy: 'atLeast', n },
    describe: () => `atLeast(${n})`,
    isDurable: (nodes: readonly PolicyNode[]) => nodes.length >= n,
    syncConfig(primary: PolicyNode, members: readonly PolicyNode[]): SyncConfig | undefined {
      const standbys = standbysOf(primary, members);
      if (standbys.length < n - 1) return undefined;
      return { quorum: n - 1, standbys: standbys.map((s) => s.name) };
    },
    check(instances: readonly PolicyNode[]): PolicyFinding[] {
      if (instances.length < n) {
        return [{
          severity: 'error',
          message: `atLeast(${n}) needs at least ${n} instances but ${instances.length} are declared`,
          fix: `lower n to ${instances.length} or fewer, or add ${n - instances.length} instance(s)`,
        }];
      }
      if (n > 1 && instances.length === n) {
        return [{
          severity: 'warning',
          message: `atLeast(${n}) with exactly ${n} instances stops accepting writes when any one instance is down`,
          fix: `add an instance so that one can fail without blocking commits`,
        }];
      }
      if (n === 1) {
        return [{
          severity: 'warning',
          message: 'atLeast(1) acknowledges commits that only the primary has: a lost primary loses them',
          fix: 'use atLeast(2) or a multi-zone policy for production data',
        }];
      }
      return [];
    },
  };
}

import type { DurabilityPolicy, PolicyFinding, PolicyNode } from './policy';
import { standbysOf } from './nodes';

/** Asynchronous replication: commits are acknowledged by the primary alone. Development only. */
export function none(): DurabilityPolicy {
  return {
    spec: { policy: 'none' },
    describe: () => 'none()',
    isDurable: (nodes: readonly PolicyNode[]) => nodes.length >= 1,
    syncConfig: (primary: PolicyNode, members: readonly PolicyNode[]) => ({
      quorum: 0,
      standbys: standbysOf(primary, members).map((s) => s.name),
    }),
    check: (): PolicyFinding[] => [{
      severity: 'warning',
      message: 'none() replicates asynchronously: a failover can lose acknowledged commits',
      fix: 'use atLeast(2) or surviveZoneFailure() for anything but development',
    }],
  };
}

/** A pool's settings from the ClusterSpec, the same for the pooler's pools and a gateway's co-located ones. */
import type { ClusterSpec } from '../spec/schema';
import { PIPELINE_BEHIND_MS, type PoolOptions } from './pool';

export function poolOptionsOf(spec: ClusterSpec, target: PoolOptions['target']): PoolOptions {
  return {
    target,
    size: spec.pooler.poolSize,
    minSize: spec.pooler.minPoolSize,
    queueTimeoutMs: spec.pooler.queueTimeoutMs,
    idleTimeoutMs: spec.pooler.idleTimeoutMs,
    lifetimeMs: spec.pooler.serverLifetimeMs,
    statementCacheSize: spec.pooler.preparedStatementCacheSize,
    pipelineBehindMs: PIPELINE_BEHIND_MS,
    pipelineDepth: spec.pooler.pipelineDepth,
  };
}

/**
 * The least each container may be given. Below these Postgres, the pooler or etcd fail in
 * ways that look like outages (OOM kills during checkpoints, etcd leader loss), so synth
 * refuses them instead.
 */
export const MINIMUMS = {
  postgres: { cpu: 0.1, memory: 256 * 2 ** 20, storage: 1 * 2 ** 30 },
  gateway: { cpu: 0.05, memory: 128 * 2 ** 20 },
  orchestrator: { cpu: 0.05, memory: 64 * 2 ** 20 },
  etcd: { cpu: 0.05, memory: 128 * 2 ** 20, storage: 1 * 2 ** 30 },
} as const;

/** The defaults the renderer uses when a prop leaves a resource unset. */
export const DEFAULT_RESOURCES = {
  postgres: { cpu: '500m', memory: '1Gi', storage: '10Gi' },
  gateway: { cpu: '250m', memory: '256Mi' },
  orchestrator: { cpu: '100m', memory: '128Mi' },
  etcd: { cpu: '100m', memory: '256Mi', storage: '2Gi' },
} as const;

/**
 * How many Postgres connections the pools of one instance may hold, and who holds them. Pools
 * get what Postgres allows minus the reserve for administrators and the pooler's own sessions
 * (health probe, control, verifier lookups). When the zone's gateway shares the host it serves
 * its sessions from pools of its own (one hop instead of two), so the two split the budget:
 * the pooler keeps half, rounded up, for the other zones' gateways.
 */
import type { ClusterSpec } from '../spec/schema';
import { DEFAULT_MAX_CONNECTIONS } from '../postgres/postgres-config';

/** Connections the pooler's own sessions (probe, control, lookups) may use at once. */
const POOLER_OWN_CONNECTIONS = 5;

export interface ConnectionShares {
  readonly pooler: number;
  /** 0 when no gateway shares the host. */
  readonly gateway: number;
}

export function serverConnectionShares(spec: ClusterSpec, colocatedGateway: boolean): ConnectionShares {
  const max = Number(spec.postgres.parameters.max_connections ?? DEFAULT_MAX_CONNECTIONS);
  const total = Math.max(1, max - spec.pooler.reservedConnections - POOLER_OWN_CONNECTIONS);
  if (!colocatedGateway || total < 2) return { pooler: total, gateway: 0 };
  const gateway = Math.floor(total / 2);
  return { pooler: total - gateway, gateway };
}

/**
 * The pooler's health checks for load balancers and probes (`/primary`, `/replica`, `/health`,
 * `/liveness`, `/readiness`), as pure verdicts on what the pooler knows: its own report, the
 * rule it last saw, and for a lag bound the primary's position. The routes are in
 * health-routes.ts.
 */
import { parseLsn } from '../consensus/lsn';
import type { InstanceStatus } from '../postgres/instance-status';
import { MEMORY_UNITS } from '../postgres/parameters/check-parameter';
import type { ShardRule } from '../topo/records';

export type HealthVerdict = { readonly ok: true; readonly [detail: string]: unknown } | { readonly ok: false; readonly reason: string };

/** A health report older than this means the pooler's own checks have stalled. */
export const LIVENESS_STALE_MS = 15_000;

/**
 * 200 only on the instance the serving rule names as primary, while it is out of recovery and
 * answers. During an election no pooler answers 200: the rule is not serving, so at most one
 * pooler ever does.
 */
export function primaryVerdict(status: InstanceStatus, rule: ShardRule | undefined): HealthVerdict {
  if (!rule) return { ok: false, reason: 'no rule yet' };
  if (rule.status !== 'serving') return { ok: false, reason: `the rule is ${rule.status}` };
  if (rule.primary !== status.instance) return { ok: false, reason: `the primary is ${rule.primary}` };
  if (!status.healthy) return { ok: false, reason: `postgres is not healthy: ${status.error ?? 'no answer'}` };
  if (status.role !== 'primary') return { ok: false, reason: 'postgres is still in recovery' };
  return { ok: true, role: 'primary', term: rule.term };
}

/** 200 on a standby that streams from its primary and, when a bound is given, lags at most that far. */
export function replicaVerdict(status: InstanceStatus, rule: ShardRule | undefined, bound: { maxLagBytes: number; primaryLsn: string | null } | undefined): HealthVerdict {
  if (!status.healthy) return { ok: false, reason: `postgres is not healthy: ${status.error ?? 'no answer'}` };
  if (status.role !== 'replica') return { ok: false, reason: `this instance is ${status.role === 'primary' ? 'the primary' : 'in an unknown role'}` };
  if (rule?.primary === status.instance) return { ok: false, reason: 'the rule names this instance primary' };
  if (status.walReceiver !== 'streaming') return { ok: false, reason: `not streaming (wal receiver: ${status.walReceiver ?? 'none'})` };
  if (!bound) return { ok: true, role: 'replica' };
  if (bound.primaryLsn === null || status.lsn === null) return { ok: false, reason: "lag unknown: the primary's position could not be read" };
  const lagBytes = Math.max(0, Number(parseLsn(bound.primaryLsn) - parseLsn(status.lsn)));
  if (lagBytes > bound.maxLagBytes) return { ok: false, reason: `lag ${lagBytes} bytes is above ${bound.maxLagBytes}` };
  return { ok: true, role: 'replica', lagBytes };
}

/** 200 while Postgres answers its health query. */
export function healthVerdict(status: InstanceStatus): HealthVerdict {
  return status.healthy ? { ok: true, role: status.role } : { ok: false, reason: `postgres is not healthy: ${status.error ?? 'no answer'}` };
}

/**
 * 200 while the pooler's own health checks keep running. A Postgres that is down is not a
 * reason to restart the pooler (it restarts Postgres itself), so it does not fail liveness.
 */
export function livenessVerdict(status: InstanceStatus, now: number): HealthVerdict {
  const age = now - Date.parse(status.checkedAt);
  return age <= LIVENESS_STALE_MS ? { ok: true } : { ok: false, reason: `no health check finished for ${age} ms` };
}

/** 200 when this instance can serve: Postgres answers and the pooler is not cloning, rewinding or in an election. */
export function readinessVerdict(status: InstanceStatus): HealthVerdict {
  if (status.phase !== 'running') return { ok: false, reason: `phase ${status.phase}` };
  return healthVerdict(status);
}

/** `?lag=` as bytes: a plain number of bytes or a number with a Postgres memory unit (16MB, 512kB). */
export function parseLagBound(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([A-Za-z]*)\s*$/.exec(text);
  const factor = match ? (match[2] === '' ? 1 : MEMORY_UNITS[match[2]!]) : undefined;
  if (!match || factor === undefined) throw new Error(`lag: "${text}" is not a size; use bytes or a unit (${Object.keys(MEMORY_UNITS).join(', ')}), e.g. lag=16MB`);
  return Math.round(Number(match[1]) * factor);
}

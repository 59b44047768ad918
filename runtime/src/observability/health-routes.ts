/** The pooler's public health-check routes: 200 or 503, each with a short JSON reason. */
import type { IncomingMessage } from 'node:http';
import type { PublicHandler, PublicReply } from '../admin/http-server';
import type { InstanceStatus } from '../postgres/instance-status';
import type { ShardRule } from '../topo/records';
import { type HealthVerdict, healthVerdict, livenessVerdict, parseLagBound, primaryVerdict, readinessVerdict, replicaVerdict } from './health-checks';

export interface HealthSources {
  readonly status: () => InstanceStatus;
  readonly rule: () => ShardRule | undefined;
  /** The current primary's WAL position, for a lag bound; null when it cannot be read. */
  readonly primaryLsn: (primary: string) => Promise<string | null>;
}

export function healthRoutes(sources: HealthSources): Record<string, PublicHandler> {
  const answer = (verdict: () => HealthVerdict | Promise<HealthVerdict>): PublicHandler => async () => reply(await verdict());
  return {
    'GET /primary': answer(() => primaryVerdict(sources.status(), sources.rule())),
    'GET /replica': async (request) => {
      const lag = queryParameter(request, 'lag');
      if (lag === undefined) return reply(replicaVerdict(sources.status(), sources.rule(), undefined));
      let maxLagBytes: number;
      try {
        maxLagBytes = parseLagBound(lag);
      } catch (error) {
        return reply({ ok: false, reason: (error as Error).message }, 400);
      }
      const rule = sources.rule();
      const primaryLsn = rule ? await sources.primaryLsn(rule.primary) : null;
      return reply(replicaVerdict(sources.status(), rule, { maxLagBytes, primaryLsn }));
    },
    'GET /health': answer(() => healthVerdict(sources.status())),
    'GET /liveness': answer(() => livenessVerdict(sources.status(), Date.now())),
    'GET /readiness': answer(() => readinessVerdict(sources.status())),
  };
}

function queryParameter(request: IncomingMessage, name: string): string | undefined {
  return new URL(request.url ?? '/', 'http://health').searchParams.get(name) ?? undefined;
}

function reply(verdict: HealthVerdict, failure = 503): PublicReply {
  return { status: verdict.ok ? 200 : failure, contentType: 'application/json', body: `${JSON.stringify(verdict)}\n`, headers: { 'cache-control': 'no-store' } };
}

/** The orchestrator admin API's actions (HTTP/JSON); status is served by main. */
import { z } from 'zod';
import { type Handler, parseBody } from '../admin/http-server';
import { ConflictError, InvalidRequestError } from '../util/domain-errors';
import { durabilitySchema } from '../spec/schema';
import { runElection } from './actions/elect';
import { setDurability, setMembers } from './actions/set-durability';
import type { OrchestratorContext } from './context';
import type { OrchestratorLoop } from './loop';

const switchoverSchema = z.object({ to: z.string().optional() }).strict();
const durabilityRequestSchema = z.object({ durability: durabilitySchema }).strict();
const membersRequestSchema = z.object({ members: z.array(z.string().min(1)).min(1) }).strict();

export function adminRoutes(context: OrchestratorContext, loop: OrchestratorLoop): Record<string, Handler> {
  return {
    'GET /v1/history': () => context.topo.listHistory(),
    'GET /v1/problems': () => loop.problems,
    'POST /v1/switchover': (body) => {
      const { to } = parseBody(switchoverSchema, body);
      return loop.exclusive(async () => {
        const current = await context.topo.getRule();
        if (!current || current.value.status !== 'serving') throw new ConflictError('the cluster has no serving rule; retry when status shows it serving');
        if (to !== undefined && !current.value.members.includes(to)) throw new InvalidRequestError(`to: "${to}" is not a member (${current.value.members.join(', ')})`);
        if (to === current.value.primary) throw new InvalidRequestError(`to: "${to}" is already the primary`);
        const result = await runElection(context, current, {
          kind: 'switchover',
          reason: to ? `switchover to ${to} requested` : 'switchover requested',
          fence: 'graceful',
          exclude: [current.value.primary],
          ...(to ? { preferred: to } : {}),
        });
        if (result.outcome === 'failed') {
          // The old primary may already be fenced: restore service now rather than waiting for
          // the election to go stale. The most advanced node wins, the old primary included.
          const stuck = await context.topo.getRule();
          if (stuck?.value.status === 'electing') {
            await runElection(context, stuck, { kind: 'failover', reason: `switchover failed (${result.detail}); restoring service`, fence: 'graceful' });
          }
        }
        if (result.outcome !== 'done') throw new Error(`switchover ${result.outcome}: ${result.detail}`);
        return result;
      });
    },
    'POST /v1/durability': (body) => {
      const { durability } = parseBody(durabilityRequestSchema, body);
      return loop.exclusive(() => setDurability(context, durability));
    },
    'POST /v1/members': (body) => {
      const { members } = parseBody(membersRequestSchema, body);
      return loop.exclusive(() => setMembers(context, members));
    },
  };
}

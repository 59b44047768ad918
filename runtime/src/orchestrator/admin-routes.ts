/** The orchestrator admin API's actions (HTTP/JSON); status is served by main. */
import { z } from 'zod';
import { type Handler, parseBody } from '../admin/http-server';
import { durabilitySchema } from '../spec/schema';
import { switchover } from './actions/switchover';
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
    'GET /v1/elections': () => ({ running: [...context.peers.runningHere] }),
    'POST /v1/switchover': (body) => {
      const { to } = parseBody(switchoverSchema, body);
      return loop.exclusive(() => switchover(context, to ? { to } : {}));
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

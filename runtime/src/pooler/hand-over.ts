/**
 * A primary asked to stop (its pod deleted for a drain, a rolling update, a re-schedule) hands
 * its role over first. Stopping it outright is, for every client, an unplanned failover: the
 * orchestrators notice it gone, fence it and elect, with writes failing meanwhile. A
 * switchover instead fences it gracefully and promotes a standby that has every commit, with
 * the gateways holding new statements for the few hundred milliseconds it takes. On by
 * POLYGRES_HAND_OVER_ON_STOP (the Kubernetes target renders it); the local target's
 * `polygres down` stops every process at once, where a switchover could only get in the way.
 */
import { requestSwitchover } from '../admin/switchover-request';
import type { ClusterLayout } from '../deployment/layout';
import type { TopoStore } from '../topo/topo-store';
import type { Logger } from '../util/log';

/** Inside the pods' termination grace (120 s), leaving time for Postgres to stop after. */
const SWITCHOVER_TIMEOUT_MS = 90_000;

export function handsOverOnStop(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.POLYGRES_HAND_OVER_ON_STOP === '1';
}

export async function handOverPrimary(options: { topo: TopoStore; instance: string; layout: ClusterLayout; adminToken: string; log: Logger }): Promise<void> {
  const rule = await options.topo.getRule().catch(() => undefined);
  if (rule?.value.primary !== options.instance || rule.value.status !== 'serving') return;
  options.log.info('stopping the primary: asking for a switchover first');
  try {
    const result = await requestSwitchover({
      orchestrators: options.layout.orchestrators,
      adminToken: options.adminToken,
      readRule: async () => (await options.topo.getRule())?.value,
      timeoutMs: SWITCHOVER_TIMEOUT_MS,
    });
    options.log.info({ term: result.term, primary: result.primary, takenOver: result.takenOver }, 'switched over before stopping');
  } catch (error) {
    options.log.warn({ err: (error as Error).message }, 'the switchover before stopping failed; stopping anyway (the orchestrators will fail over)');
  }
}

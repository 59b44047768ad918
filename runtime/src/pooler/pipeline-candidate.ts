/**
 * Which busy server connection a session's single plain statement may be sent behind
 * (Pool.tryPipeline): the session behind resets the connection and replays its own settings in
 * the same write (handoff-reset.ts), and its answer comes once those ahead of it are answered.
 */
import type { ServerConnection } from '../session/server-connection';
import { type CarriedStartup, NO_CARRIED_STARTUP, startupCovers } from '../session/carried-startup';

/**
 * Among connections running one pipelinable statement (ServerConnection.pipelinableSince) that
 * started under `behindMs` ago, with fewer than `depth` statements queued behind it: the one
 * with the fewest queued, and among those the one whose statement started last (so is likeliest
 * to end first). None that is broken or will be closed after use.
 */
export function pipelineCandidate(
  connections: Iterable<ServerConnection>,
  limits: { readonly behindMs: number; readonly depth: number },
  now: number,
  startup: CarriedStartup = NO_CARRIED_STARTUP,
): ServerConnection | undefined {
  let best: ServerConnection | undefined;
  for (const connection of connections) {
    const since = connection.pipelinableSince;
    const queued = connection.followerCount;
    if (since === 0 || now - since > limits.behindMs || queued >= limits.depth || connection.broken || connection.discardAfterUse) continue;
    if (!startupCovers(startup, connection.startup)) continue; // it would reset to another session's application_name
    if (!best || queued < best.followerCount || (queued === best.followerCount && since > best.pipelinableSince)) best = connection;
  }
  return best;
}

import { describe, expect, it } from 'vitest';
import type { ServerConnection } from '../session/server-connection';
import { pipelineCandidate } from './pipeline-candidate';
import { type CarriedStartup, NO_CARRIED_STARTUP, carriedStartup } from '../session/carried-startup';

/** The fields pipelineCandidate reads, as a server connection carries them. */
const busy = (name: string, since: number, followerCount = 0, more: { broken?: boolean; discardAfterUse?: boolean; startup?: CarriedStartup } = {}) =>
  ({ name, pipelinableSince: since, followerCount, broken: false, discardAfterUse: false, startup: NO_CARRIED_STARTUP, ...more }) as unknown as ServerConnection & { name: string };

describe('which busy connection a statement goes behind', () => {
  const limits = { behindMs: 2, depth: 2 };

  it('the fewest queued first, then the statement that started last', () => {
    const chosen = pipelineCandidate([busy('old-empty', 99), busy('new-one-queued', 100, 1), busy('new-empty', 99.5)], limits, 100.5) as unknown as { name: string };
    expect(chosen.name).toBe('new-empty');
    const deeper = pipelineCandidate([busy('one-queued', 100, 1)], limits, 100.5) as unknown as { name: string };
    expect(deeper.name).toBe('one-queued');
  });

  it('none that is full, running too long, running nothing pipelinable, broken or to be closed', () => {
    expect(pipelineCandidate([busy('full', 100, 2)], limits, 100.5)).toBeUndefined();
    expect(pipelineCandidate([busy('long', 97)], limits, 100.5)).toBeUndefined();
    expect(pipelineCandidate([busy('not pipelinable', 0)], limits, 100.5)).toBeUndefined();
    expect(pipelineCandidate([busy('broken', 100, 0, { broken: true }), busy('temp', 100, 0, { discardAfterUse: true })], limits, 100.5)).toBeUndefined();
    expect(pipelineCandidate([busy('one deep only', 100, 1)], { behindMs: 2, depth: 1 }, 100.5)).toBeUndefined();
  });

  it('none opened with an application_name the session does not have: its reset would give the session that name', () => {
    const pgbench = carriedStartup(new Map([['application_name', 'pgbench']]));
    const carrying = busy('carrying', 100, 0, { startup: pgbench });
    expect(pipelineCandidate([carrying], limits, 100.5)).toBeUndefined();
    expect((pipelineCandidate([carrying], limits, 100.5, pgbench) as unknown as { name: string }).name).toBe('carrying');
    expect((pipelineCandidate([carrying], limits, 100.5, carriedStartup(new Map([['application_name', 'psql']]))) as unknown as { name: string }).name).toBe('carrying');
  });
});

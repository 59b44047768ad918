/**
 * A policy that cannot be met right now blocks commits and says so: under multiZone(2) with
 * the only other zone down, a write waits (it is never acknowledged on one zone alone),
 * `polygres status` names the reason, and the write completes once the zone is back.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freezeProcess, killPostgres, supervisedPid } from '../support/faults';
import { type LocalCluster, startLocalCluster } from '../support/local-cluster';
import { polygres } from '../support/polygres-cli';

describe('multiZone(2) with its other zone down', () => {
  let cluster: LocalCluster;

  beforeAll(async () => {
    cluster = await startLocalCluster(inject('testRoot'), {
      apiVersion: 'polygres.dev/v1',
      name: 'twozones',
      zones: [{ name: 'east' }, { name: 'west' }],
      instances: [
        { name: 'east-0', zone: 'east' },
        { name: 'east-1', zone: 'east' },
        { name: 'west-0', zone: 'west' },
      ],
      durability: { policy: 'multiZone', n: 2 },
    });
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('only counts the other zone toward the quorum', async () => {
    const [row] = await cluster.query<{ synchronous_standby_names: string }>('SHOW synchronous_standby_names');
    expect(row?.synchronous_standby_names).toBe('ANY 1 ("west-0")');
  });

  it('blocks commits while west is down, says so in status, and completes them when it is back', async () => {
    await cluster.query('CREATE TABLE zone_writes (id int)');
    const thaw = freezeProcess(supervisedPid(cluster, 'pooler-west-0'));
    try {
      killPostgres(cluster, 'west-0');
      await cluster.waitForStatus('commits reported blocked', (s) => s.problems.some((p) => p.startsWith('commits are blocked')));
      const status = await polygres(['status', '--state-dir', cluster.stateDir]);
      expect(status.stdout).toContain('commits are blocked: ANY 1 ("west-0") needs 1 streaming standby(s) but 0 stream');
      const client = await cluster.connect();
      const write = client.query('INSERT INTO zone_writes VALUES (1)');
      const early = await Promise.race([write.then(() => 'acknowledged'), new Promise((r) => setTimeout(() => r('waiting'), 3_000))]);
      expect(early).toBe('waiting');
      thaw();
      await write;
      await client.end();
    } finally {
      thaw();
    }
    const rows = await cluster.query<{ n: number }>('SELECT count(*)::int AS n FROM zone_writes');
    expect(rows[0]?.n).toBe(1);
  });
});

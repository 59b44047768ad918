/**
 * Postgres' log rotates by size under a running server: the logging collector writes
 * postgres.log, which is renamed postgres.log.1 (older ones shift) and the collector told to
 * open a new one — no line lost, split or written twice, and the server never restarts.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { rotatedPredecessors } from '../../runtime/src/logs/rotating-file';
import { rotatePostgresLog } from '../../runtime/src/postgres/postgres-log-rotation';
import { createLogger } from '../../runtime/src/util/log';
import { waitFor } from '../../runtime/src/util/net';
import { type PostgresServer, startPostgres } from '../support/postgres-server';

describe('Postgres log rotation', () => {
  let server: PostgresServer;

  beforeAll(async () => {
    server = await startPostgres(inject('testRoot'));
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('renames the log once it passes the size and has the collector start a new one, losing no line', async () => {
    const { control } = server;
    const postmaster = control.postmasterPid();
    const rotation = rotatePostgresLog(control, createLogger('test'), { policy: { maxBytes: 4096, keep: 100 }, intervalMs: 20 });
    const client = await server.connect();
    const markers: string[] = [];
    try {
      // Rounds of lines, each well past the size, each waited on until it has been rotated away.
      for (let round = 1; round <= 4; round++) {
        for (let n = 0; n < 100; n++) {
          markers.push(`rotation-marker-${round}-${n}`);
          await client.query(`DO $$ BEGIN RAISE LOG '${markers.at(-1)}'; END $$`);
        }
        await waitFor(`rotation ${round}`, () => (rotatedPredecessors(control.logFile).length >= round ? true : undefined), { timeoutMs: 30_000, intervalMs: 20 });
      }
      const logged = () => [...rotatedPredecessors(control.logFile), control.logFile].flatMap((file) => readFileSync(file, 'utf8').split('\n'));
      const found = (lines: string[]) => lines.flatMap((line) => /LOG: {2}(rotation-marker-\d+-\d+)$/.exec(line)?.[1] ?? []);
      // The collector writes a moment after the statement: wait for the last marker.
      await waitFor('every marker in the log', () => (found(logged()).length >= markers.length ? true : undefined), { timeoutMs: 30_000, intervalMs: 50 });
      expect(found(logged())).toEqual(markers);
      expect(control.postmasterPid()).toBe(postmaster);
    } finally {
      rotation.stop();
      await client.end();
    }
  });
});

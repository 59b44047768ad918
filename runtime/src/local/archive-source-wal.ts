/**
 * Before a point-in-time restore from a running cluster: everything it has written so far is
 * pushed into the archive. A WAL segment is archived only when it is full (or archive_timeout
 * passes), so "restore to two seconds ago" would otherwise stop short — "recovery stopped
 * before the target was reached". The primary switches to a new segment, and the restore
 * waits until the one it closed is in the repository.
 */
import type { Client } from 'pg';
import type { ClusterLayout } from '../deployment/layout';
import { sleep } from '../util/net';
import { connectIfWritable } from './writable-connection';

const ARCHIVE_WAIT_MS = 120_000;

/** What happened: the segment now archived, or why nothing was switched (the source is not running). */
export type SourceArchiving = { readonly archived: string } | { readonly skipped: string };

export async function archiveSourceWal(layout: ClusterLayout, superuserPassword: string): Promise<SourceArchiving> {
  const primary = await connectToPrimary(layout, superuserPassword);
  if (!primary) return { skipped: 'no primary of the source answered; restoring from what its archive holds' };
  try {
    // pg_walfile_name names the segment holding the byte before this LSN: the segment to wait
    // for, even when nothing was written since the last switch (then it is archived already).
    const [written] = (await primary.query<{ segment: string }>('SELECT pg_walfile_name(pg_current_wal_lsn()) AS segment')).rows;
    await primary.query('SELECT pg_switch_wal()');
    const segment = written!.segment;
    const deadline = Date.now() + ARCHIVE_WAIT_MS;
    for (;;) {
      const [archiver] = (await primary.query<{ last: string | null; failed: string | null; failedAt: Date | null }>('SELECT last_archived_wal AS last, last_failed_wal AS failed, last_failed_time AS "failedAt" FROM pg_stat_archiver')).rows;
      // Segment names sort in WAL order (a .history file sorts below the segments of its timeline).
      if (archiver?.last && archiver.last >= segment) return { archived: segment };
      if (Date.now() > deadline) {
        const failing = archiver?.failed ? `; archiving is failing (${archiver.failed} at ${archiver.failedAt?.toISOString()}), see polygres status --state-dir ${layout.stateDir}` : '';
        throw new Error(`the source's WAL up to now (${segment}) did not reach the archive within ${ARCHIVE_WAIT_MS / 1000} s${failing}`);
      }
      await sleep(250);
    }
  } finally {
    await primary.end().catch(() => undefined);
  }
}

async function connectToPrimary(layout: ClusterLayout, password: string): Promise<Client | undefined> {
  for (const instance of layout.instances) {
    const client = await connectIfWritable(instance, password);
    if (client) return client;
  }
  return undefined;
}

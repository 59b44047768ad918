/**
 * Where a data directory's WAL ends, read from its files (postgres/wal-end.ts): what a recruited
 * standby reports when its server cannot answer. Every commit it acknowledged must lie below
 * that end — a synchronous standby killed right after acknowledging, and a primary killed
 * after committing on a timeline of its own (the scan must read the newest timeline's files).
 */
import { join } from 'node:path';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parseLsn } from '../../runtime/src/consensus/lsn';
import { postgresOsUser } from '../../runtime/src/deployment/os-user';
import { REPLICATION_USER } from '../../runtime/src/deployment/secrets';
import { PostgresControl } from '../../runtime/src/postgres/postgres-control';
import { waitFor } from '../../runtime/src/util/net';
import { claimPortBlock, type PortBlock } from '../support/ports';
import { type PostgresServer, startPostgres } from '../support/postgres-server';

describe('the end of the WAL, read from the files', () => {
  let primary: PostgresServer;
  let standby: PostgresControl;
  let standbyPorts: PortBlock;
  /** The standby's settings; streaming from the primary until the second test makes it a server of its own. */
  let standbySettings: Parameters<PostgresControl['configure']>[0];

  beforeAll(async () => {
    primary = await startPostgres(inject('testRoot'));
    const setup = await primary.connect();
    try {
      await setup.query(`CREATE ROLE ${REPLICATION_USER} LOGIN REPLICATION PASSWORD 'replication-password'`);
    } finally {
      await setup.end();
    }
    standbyPorts = await claimPortBlock();
    const osUser = postgresOsUser();
    const instanceDir = join(primary.socketDir, '..', 'standby');
    standby = new PostgresControl({ instanceDir, socketDir: join(instanceDir, 'socket'), hbaNetworks: ['127.0.0.1/32'], ...(osUser ? { osUser } : {}) });
    standby.prepareInstanceDir({ replication: 'replication-password', superuser: primary.password });
    await standby.baseBackup({ host: primary.host, port: primary.port });
    standby.setStandbySignal(true);
    const settings = { listenAddress: '127.0.0.1', socketDir: join(instanceDir, 'socket'), maxWalSenders: 4, parameters: {} };
    standbySettings = { ...settings, instanceName: 'standby', port: standbyPorts.base };
    standby.configure(standbySettings, { host: primary.host, port: primary.port });
    await standby.start();
    // The standby acknowledges every commit: a commit returns only once it has flushed it.
    primary.control.configure({ ...settings, socketDir: primary.socketDir, instanceName: 'test', port: primary.port, syncStandbyNames: 'standby' });
    await primary.control.reload();
    const client = await primary.connect();
    try {
      await waitFor('the standby to stream synchronously', async () => {
        const { rows } = await client.query<{ state: string }>("SELECT sync_state AS state FROM pg_stat_replication WHERE application_name = 'standby'");
        return rows[0]?.state === 'sync' ? true : undefined;
      }, { timeoutMs: 30_000, intervalMs: 100 });
    } finally {
      await client.end();
    }
  }, 120_000);

  afterAll(async () => {
    await standby?.stop('immediate').catch(() => undefined);
    standbyPorts?.release();
    await primary?.stop();
  });

  it('a synchronous standby killed after acknowledging: every acknowledged commit lies below the end of its files', async () => {
    const beforeLast = await commitRows(await primary.connect(), 0, 50);
    await standby.fence('kill');
    const end = await standby.walEnd();
    // Past the last acknowledged commit (its record begins after beforeLast), and not beyond
    // what the primary has flushed (a walsender sends nothing else).
    expect(parseLsn(end)).toBeGreaterThan(parseLsn(beforeLast));
    const after = await primary.connect();
    try {
      expect(parseLsn(end)).toBeLessThanOrEqual(parseLsn((await after.query<{ lsn: string }>('SELECT pg_current_wal_flush_lsn()::text AS lsn')).rows[0]!.lsn));
    } finally {
      await after.end();
    }
  });

  it('a primary killed after committing on a timeline it began: the end is read from that timeline’s files', async () => {
    // The killed standby comes back as a server of its own, on a new timeline.
    standby.configure(standbySettings);
    await standby.start();
    await standby.promote();
    const client = new Client({ host: '127.0.0.1', port: standbyPorts.base, user: primary.user, password: primary.password, database: 'postgres' });
    await client.connect();
    const beforeLast = await commitRows(client, 50, 80);
    await standby.fence('kill');
    // Read on the old timeline only, the end would be where the new one began, before every insert here.
    expect(parseLsn(await standby.walEnd())).toBeGreaterThan(parseLsn(beforeLast));
  });
});

/**
 * Commits rows `from` to `to` - 1 one transaction each on `client` (then closed), and returns
 * where the next WAL record was to go before the last one: its commit record ends past that.
 */
async function commitRows(client: Client, from: number, to: number): Promise<string> {
  try {
    await client.query('CREATE TABLE IF NOT EXISTS acknowledged (n int)');
    for (let n = from; n < to - 1; n++) await client.query('INSERT INTO acknowledged VALUES ($1)', [n]);
    const { rows } = await client.query<{ lsn: string }>('SELECT pg_current_wal_insert_lsn()::text AS lsn');
    await client.query('INSERT INTO acknowledged VALUES ($1)', [to - 1]);
    return rows[0]!.lsn;
  } finally {
    await client.end();
  }
}

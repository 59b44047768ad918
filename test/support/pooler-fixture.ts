/**
 * A real Postgres and an in-process PoolerServer in front of it, for tests of the pooler's
 * behaviour in isolation (no gateway, no orchestrator). Clients are node-postgres.
 */
import { Client } from 'pg';
import { ScramAuthenticator } from '../../runtime/src/session/client-auth';
import { PoolerServer } from '../../runtime/src/pooler/pooler-server';
import { PIPELINE_BEHIND_MS } from '../../runtime/src/pooler/pool';
import { PIPELINE_DEPTH } from '../../runtime/src/spec/schema';
import { ServerConnection } from '../../runtime/src/session/server-connection';
import { loadSqlParser } from '../../runtime/src/sql/parser';
import { createLogger } from '../../runtime/src/util/log';
import { claimPortBlock } from './ports';
import { type ClientLimitsSpec, clientLimitsSchema } from '../../runtime/src/spec/schema';
import { type PostgresServer, startPostgres } from './postgres-server';

export interface PoolerFixture {
  readonly postgres: PostgresServer;
  readonly pooler: PoolerServer;
  readonly port: number;
  /** A client logged in through the pooler (as the superuser unless told otherwise). */
  client(options?: { user?: string; password?: string; database?: string; application_name?: string }): Promise<Client>;
  /** Replaces the pooler with a fresh one on the same port (a pooler restart). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export interface PoolerFixtureOptions {
  readonly size?: number;
  readonly queueTimeoutMs?: number;
  readonly statementCacheSize?: number;
  /** Pipelining behind a running statement (PoolOptions.pipelineBehindMs); the default's. */
  readonly pipelineBehindMs?: number;
  /** Statements that may wait behind a running one (PoolOptions.pipelineDepth); the spec's default. */
  readonly pipelineDepth?: number;
  /** Client limits; the spec's defaults for any not given. */
  readonly limits?: Partial<ClientLimitsSpec>;
}

export async function startPooler(root: string, options: PoolerFixtureOptions = {}): Promise<PoolerFixture> {
  await loadSqlParser();
  const postgres = await startPostgres(root);
  const block = await claimPortBlock();
  const port = block.base;
  const make = () =>
    new PoolerServer({
      host: '127.0.0.1',
      port,
      pool: {
        target: { socketDir: postgres.socketDir, port: postgres.port },
        size: options.size ?? 2,
        minSize: 0,
        queueTimeoutMs: options.queueTimeoutMs ?? 5_000,
        idleTimeoutMs: 60_000,
        lifetimeMs: 3_600_000,
        statementCacheSize: options.statementCacheSize ?? 100,
        pipelineBehindMs: options.pipelineBehindMs ?? PIPELINE_BEHIND_MS,
        pipelineDepth: options.pipelineDepth ?? PIPELINE_DEPTH,
      },
      connectionLimit: 50,
      limits: clientLimitsSchema.parse(options.limits ?? {}),
      authenticator: new ScramAuthenticator(async (user) => {
        const connection = await ServerConnection.open({ socketDir: postgres.socketDir, port: postgres.port }, 'postgres', 'postgres', 0);
        try {
          return (await connection.query(`SELECT rolpassword FROM pg_authid WHERE rolname = '${user.replaceAll("'", "''")}' AND rolcanlogin`))[0]?.[0];
        } finally {
          connection.close();
        }
      }),
      log: createLogger('pooler-test', {}).child({}, { level: 'warn' }),
    });
  let pooler = make();
  await pooler.listen();
  const fixture: PoolerFixture = {
    postgres,
    get pooler() {
      return pooler;
    },
    port,
    async client(clientOptions = {}) {
      const client = new Client({
        host: '127.0.0.1',
        port,
        user: clientOptions.user ?? postgres.user,
        password: clientOptions.password ?? postgres.password,
        database: clientOptions.database ?? 'postgres',
        ...(clientOptions.application_name ? { application_name: clientOptions.application_name } : {}),
      });
      client.on('error', () => undefined);
      await client.connect();
      return client;
    },
    async restart() {
      pooler.close();
      pooler = make();
      await pooler.listen();
    },
    async stop() {
      pooler.close();
      await postgres.stop();
      block.release();
    },
  };
  return fixture;
}

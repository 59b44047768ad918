/**
 * The ledger writer of the chaos suite: clients insert sequential ids through a
 * gateway and record every acknowledged commit — with the instance that made it and that
 * instance's timeline, read in the same statement (the term the server believes in is kept
 * too, but only a check from outside can trust it: ledger-check.ts). A write with no answer
 * within `abandonAfterMs` is abandoned for a new connection, but its connection stays open,
 * so a late acknowledgement is still recorded. The outage is the longest pause between two
 * acknowledgements.
 */
import type { ConnectionOptions } from 'node:tls';
import { Client } from 'pg';
import type { ClusterLayout } from '../../runtime/src/deployment/layout';

export interface Acknowledgement {
  readonly id: number;
  /** When the write was sent. */
  readonly sentAt: number;
  /** The newest term in the acknowledging server's own rule history: what it believes, not proof. */
  readonly term: number;
  /** The instance that committed it (its cluster_name). */
  readonly server: string;
  /** The timeline that instance wrote the commit on: each promotion starts a new one. */
  readonly timeline: number;
  readonly at: number;
}

/** Writes acknowledged to one client, under its name: a LedgerWriter, or a test's own inserts. */
export interface AcknowledgedWrites {
  readonly name: string;
  readonly acknowledged: readonly Acknowledgement[];
}

export interface LedgerTarget {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  /** `postgres` unless told. */
  readonly database?: string;
  /** TLS to the gateway (a Kubernetes cluster's gateways require it). */
  readonly ssl?: ConnectionOptions;
}

export const LEDGER_DDL = `CREATE TABLE IF NOT EXISTS ledger (
  id bigint PRIMARY KEY,
  writer text NOT NULL,
  term bigint,
  server text NOT NULL,
  timeline integer,
  at timestamptz NOT NULL DEFAULT clock_timestamp()
)`;

/** The timeline of the WAL being written: the first 8 hex digits of its segment's file name. */
const CURRENT_TIMELINE = "('x' || substr(pg_walfile_name(pg_current_wal_insert_lsn()), 1, 8))::bit(32)::int";

export const LEDGER_INSERT = `INSERT INTO ledger (id, writer, term, server, timeline)
  VALUES ($1, $2, (SELECT max(term) FROM polygres.rule_history), current_setting('cluster_name'), ${CURRENT_TIMELINE})
  RETURNING term, server, timeline`;

/** One ledger insert through `client`; its acknowledgement, tagged as the writer's are. */
export async function insertLedgerRow(client: Pick<Client, 'query'>, id: number, writer: string): Promise<Acknowledgement> {
  const sentAt = Date.now();
  const result = await client.query(LEDGER_INSERT, [id, writer]);
  return acknowledgement(id, sentAt, result.rows[0]);
}

function acknowledgement(id: number, sentAt: number, row: { term: string | null; server: string; timeline: number }): Acknowledgement {
  return { id, sentAt, term: Number(row.term), server: row.server, timeline: Number(row.timeline), at: Date.now() };
}

export class LedgerWriter implements AcknowledgedWrites {
  readonly acknowledged: Acknowledgement[] = [];
  readonly errors: string[] = [];
  private running = false;
  private loop: Promise<void> | undefined;
  private readonly lingering = new Set<Client>();
  private current: Client | undefined;

  /** Ids are `base + n`: give each writer its own base so their ids never collide. */
  constructor(
    private readonly target: LedgerTarget,
    readonly name: string,
    private readonly base: number,
    private readonly abandonAfterMs = 2_000,
  ) {}

  start(): void {
    this.running = true;
    this.loop = this.run();
  }

  /** Stops writing; waits a little for late acknowledgements, then closes every connection. */
  async stop(lateAckWaitMs = 3_000): Promise<void> {
    this.running = false;
    await this.loop;
    const deadline = Date.now() + lateAckWaitMs;
    while (this.lingering.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    for (const client of [...this.lingering, ...(this.current ? [this.current] : [])]) client.end().catch(() => undefined);
  }

  /**
   * The longest gap between consecutive acknowledgements from the last one before `from` up to
   * `to`, in ms: a fault injected at `from` and healed by `to` shows up in full.
   */
  longestPause(from = 0, to = Number.POSITIVE_INFINITY): number {
    const all = this.acknowledged.map((ack) => ack.at).sort((a, b) => a - b);
    const start = all.filter((at) => at <= from).pop() ?? from;
    const times = all.filter((at) => at >= start && at <= to);
    let longest = 0;
    for (let i = 1; i < times.length; i++) longest = Math.max(longest, times[i]! - times[i - 1]!);
    return longest;
  }

  /** The first acknowledgement of a write sent at or after `time`. */
  firstAckAfter(time: number): Acknowledgement | undefined {
    return this.acknowledged.filter((ack) => ack.sentAt >= time).sort((a, b) => a.at - b.at)[0];
  }

  private async run(): Promise<void> {
    let next = this.base;
    while (this.running) {
      const client = await this.connect();
      if (!client) continue;
      const id = next++;
      const sentAt = Date.now();
      const attempt = client.query(LEDGER_INSERT, [id, this.name]).then(
        (result) => {
          this.acknowledged.push(acknowledgement(id, sentAt, result.rows[0]));
          return 'ok' as const;
        },
        (error: Error) => {
          this.errors.push(`${id}: ${error.message}`);
          return 'error' as const;
        },
      );
      const outcome = await Promise.race([attempt, sleep(this.abandonAfterMs).then(() => 'timeout' as const)]);
      if (outcome === 'ok') continue;
      // Abandon this connection; keep it open while its write may still be acknowledged.
      this.current = undefined;
      if (outcome === 'timeout') {
        this.lingering.add(client);
        void attempt.finally(() => {
          this.lingering.delete(client);
          client.end().catch(() => undefined);
        });
      } else {
        client.end().catch(() => undefined);
        await sleep(50);
      }
    }
  }

  private async connect(): Promise<Client | undefined> {
    if (this.current) return this.current;
    const client = new Client({ ...this.target, database: this.target.database ?? 'postgres', connectionTimeoutMillis: this.abandonAfterMs });
    client.on('error', () => undefined);
    try {
      await client.connect();
      this.current = client;
      return client;
    } catch (error) {
      this.errors.push(`connect: ${(error as Error).message}`);
      client.end().catch(() => undefined);
      await sleep(50);
      return undefined;
    }
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A writer committing through `gateway` (the first zone's by default) of `cluster`, as the superuser, started. */
export function startLedgerWriter(cluster: { readonly layout: ClusterLayout; readonly secrets: { readonly superuserPassword: string } }, name: string, base = 0, gateway = cluster.layout.gateways[0]!): LedgerWriter {
  const writer = new LedgerWriter({ host: gateway.host, port: gateway.port, user: 'postgres', password: cluster.secrets.superuserPassword }, name, base);
  writer.start();
  return writer;
}

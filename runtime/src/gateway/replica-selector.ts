/**
 * Which replica a replica-port session reads from: a healthy replica whose replay is within
 * `maxLagBytes` of the primary, in this gateway's zone first. Replicas too far behind are
 * skipped; with none left, reads go to the primary. Health comes from each pooler's own
 * report, polled every second.
 */
import { callAdmin } from '../admin/http-client';
import { parseLsn } from '../consensus/lsn';
import type { InstanceStatus } from '../postgres/instance-status';
import type { InstanceRecord } from '../topo/records';
import type { TopoStore } from '../topo/topo-store';
import type { Endpoint } from './pooler-endpoint';
import { poolerEndpoint } from './pooler-endpoint';

const POLL_MS = 1_000;

export class ReplicaSelector {
  private chosen: Endpoint | undefined;
  /** Each instance's replayed position at the last poll: a lower bound of where it is now. */
  private replayed = new Map<string, bigint>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly topo: TopoStore,
    private readonly options: { zone: string; maxLagBytes: number; adminToken: string; primary: () => Endpoint | undefined },
  ) {}

  /** A changed spec's gateway.replicaReads.maxLagBytes, from the next choice on. */
  set maxLagBytes(bytes: number) {
    this.options.maxLagBytes = bytes;
  }

  start(): void {
    const tick = async () => {
      try {
        this.chosen = await this.choose();
      } catch {
        // Keep the last choice while the topology or the poolers do not answer.
      }
      this.timer = setTimeout(() => void tick(), POLL_MS);
    };
    void tick();
  }

  stop(): void {
    clearTimeout(this.timer);
  }

  /** The replica chosen now, if any (no fallback to the primary). */
  replica(): Endpoint | undefined {
    return this.chosen;
  }

  /** How far `instance` had replayed at the last poll (-1 when unknown). */
  replayedLsn(instance: string): bigint {
    return this.replayed.get(instance) ?? -1n;
  }

  /** The replica to read from now, or the primary when no replica qualifies. */
  current(): Endpoint | undefined {
    return this.chosen ?? this.options.primary();
  }

  private async choose(): Promise<Endpoint | undefined> {
    const primary = this.options.primary();
    const records = await this.topo.listInstances();
    const statuses = await Promise.all(records.map((record) => this.statusOf(record)));
    const primaryStatus = statuses.find((status) => status?.instance === primary?.instance);
    this.replayed = new Map(statuses.flatMap((status) => (status?.lsn ? [[status.instance, parseLsn(status.lsn)] as const] : [])));
    const head = parseLsn(primaryStatus?.lsn);
    const eligible = records.filter((record, index) => {
      const status = statuses[index];
      if (!status?.healthy || status.role !== 'replica' || record.name === primary?.instance) return false;
      return head < 0n || head - parseLsn(status.lsn) <= BigInt(this.options.maxLagBytes);
    });
    const pick = eligible.find((record) => record.zone === this.options.zone) ?? eligible[0];
    return pick ? poolerEndpoint(pick) : undefined;
  }

  private statusOf(record: InstanceRecord): Promise<InstanceStatus | undefined> {
    return callAdmin<InstanceStatus>({ host: record.host, port: record.adminPort, token: this.options.adminToken, path: '/v1/status', timeoutMs: 800 }).catch(() => undefined);
  }
}

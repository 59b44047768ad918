/**
 * Bookkeeping for chaos runs: each fault's name, when it was injected and when writes were
 * acknowledged again, and the longest pause between acknowledgements around it.
 */
import { appendFileSync } from 'node:fs';
import type { LedgerWriter } from '../support/ledger-writer';

export interface FaultRecord {
  readonly fault: string;
  readonly injectedAt: number;
  readonly recoveredAt: number;
  /** Longest pause between acknowledgements, from the last one before the fault to recovery. */
  readonly outageMs: number;
}

export class ChaosLog {
  readonly records: FaultRecord[] = [];

  constructor(private readonly writers: readonly LedgerWriter[]) {}

  /**
   * Call once the cluster has settled after the fault: the outage is measured over the whole
   * disruption, from the last acknowledgement before the fault until now.
   */
  record(fault: string, injectedAt: number, recoveredAt: number): FaultRecord {
    const outageMs = Math.max(...this.writers.map((writer) => writer.longestPause(injectedAt, Date.now())));
    const record = { fault, injectedAt, recoveredAt, outageMs };
    this.records.push(record);
    console.log(`${fault}: outage ${outageMs} ms`);
    if (process.env.CHAOS_LOG) appendFileSync(process.env.CHAOS_LOG, `${JSON.stringify(record)}\n`);
    return record;
  }
}

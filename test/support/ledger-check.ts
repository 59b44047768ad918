/**
 * The chaos suite's verdict: after the faults, every acknowledged id is on the primary and on
 * every replica, the replicas hold exactly what the primary holds, and every acknowledgement
 * came from an instance in office, on a timeline of its own (acknowledger-check.ts) — checked
 * against the rules etcd held when `rules` recorded them.
 */
import { expect } from 'vitest';
import { acknowledgerViolations } from './acknowledger-check';
import type { AcknowledgedWrites } from './ledger-writer';
import { type LocalCluster, settledStatus } from './local-cluster';
import type { RuleRecorder } from './rule-recorder';

/** Waits until every instance runs, replicas stream and hold the primary's ledger; then checks. */
export async function verifyLedger(cluster: LocalCluster, writers: readonly AcknowledgedWrites[], options: { rules?: RuleRecorder; timeoutMs?: number } = {}): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 90_000;
  await cluster.waitForStatus(
    'every instance healthy and every replica streaming',
    settledStatus,
    timeoutMs,
  );
  const acknowledged = writers.flatMap((writer) => writer.acknowledged);
  const status = await cluster.statusNow();
  const primary = status.instances.find((i) => i.name === status.primary)!;
  const primaryIds = await idsOn(cluster, primary.port);
  const missing = acknowledged.filter((ack) => !primaryIds.has(ack.id));
  expect(missing.map((ack) => ack.id), `acknowledged ids missing on the primary ${primary.name}`).toEqual([]);

  // Writers may still be running: a converged replica holds everything the primary held
  // before we read the replica, and nothing the primary does not hold after.
  for (const replica of status.instances.filter((i) => i.name !== primary.name)) {
    let ids = await idsOn(cluster, replica.port);
    let primaryAfter = await idsOn(cluster, primary.port);
    for (let attempt = 0; attempt < 100 && !(isSubset(primaryIds, ids) && isSubset(ids, primaryAfter)); attempt++) {
      await new Promise((r) => setTimeout(r, 100));
      ids = await idsOn(cluster, replica.port);
      primaryAfter = await idsOn(cluster, primary.port);
    }
    expect(acknowledged.filter((ack) => !ids.has(ack.id)).map((ack) => ack.id), `acknowledged ids missing on ${replica.name}`).toEqual([]);
    expect([...ids].filter((id) => !primaryAfter.has(id)), `rows on ${replica.name} that the primary does not have`).toEqual([]);
  }

  expect(acknowledgerViolations(writers, options.rules?.tenures()), 'acknowledgements from an instance out of office or on another\'s timeline').toEqual([]);
}

async function idsOn(cluster: LocalCluster, port: number): Promise<Set<number>> {
  const rows = await cluster.query<{ id: string }>('SELECT id FROM ledger', port);
  return new Set(rows.map((row) => Number(row.id)));
}

function isSubset(a: Set<number>, b: Set<number>): boolean {
  for (const value of a) if (!b.has(value)) return false;
  return true;
}

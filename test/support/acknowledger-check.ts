/**
 * Who acknowledged each write, checked from outside. Each acknowledgement names the instance
 * that committed it and that instance's timeline, read in the same statement; the tenures come
 * from etcd (rule-recorder.ts), not from the servers. Three rules:
 * - an instance acknowledges only while it holds office: some term in which it was primary
 *   overlaps the time between sending the write and its acknowledgement, so a deposed primary
 *   that takes a write after the next term was decided is caught, whatever term it believes in;
 * - a timeline belongs to one instance: two instances acknowledging on the same timeline wrote
 *   two histories (two promotions from one parent), which is split brain;
 * - an instance never goes back to an older timeline.
 */
import type { Acknowledgement, AcknowledgedWrites } from './ledger-writer';
import type { Tenure } from './rule-recorder';

export function acknowledgerViolations(writes: readonly AcknowledgedWrites[], tenures?: readonly Tenure[]): string[] {
  const violations: string[] = [];
  const all = writes.flatMap((writer) => writer.acknowledged.map((ack) => ({ writer: writer.name, ack })));
  if (tenures) {
    const tenuresOf = new Map<string, Tenure[]>();
    for (const tenure of tenures) tenuresOf.set(tenure.primary, [...(tenuresOf.get(tenure.primary) ?? []), tenure]);
    for (const { writer, ack } of all) {
      const inOffice = (tenuresOf.get(ack.server) ?? []).some((tenure) => tenure.from <= ack.at && ack.sentAt < tenure.until);
      if (!inOffice) violations.push(`${writer} #${ack.id}: acknowledged by ${ack.server}, which was not the primary of any term between ${iso(ack.sentAt)} and ${iso(ack.at)} (${describe(tenures)})`);
    }
  }
  const serversByTimeline = new Map<number, Set<string>>();
  for (const { ack } of all) serversByTimeline.set(ack.timeline, (serversByTimeline.get(ack.timeline) ?? new Set()).add(ack.server));
  for (const [timeline, servers] of serversByTimeline) {
    if (servers.size > 1) violations.push(`timeline ${timeline} has acknowledgements from ${[...servers].sort().join(' and ')}: two histories`);
  }
  // Grouped in one pass: a long chaos run acknowledges hundreds of thousands of writes.
  const byServer = new Map<string, Acknowledgement[]>();
  for (const { ack } of all) {
    const acks = byServer.get(ack.server);
    if (acks) acks.push(ack);
    else byServer.set(ack.server, [ack]);
  }
  for (const [server, acks] of byServer) {
    const ordered = [...acks].sort((a, b) => a.at - b.at);
    for (let i = 1; i < ordered.length; i++) {
      if (ordered[i]!.timeline < ordered[i - 1]!.timeline) {
        violations.push(`${server} acknowledged #${ordered[i]!.id} on timeline ${ordered[i]!.timeline} after #${ordered[i - 1]!.id} on timeline ${ordered[i - 1]!.timeline}`);
        break;
      }
    }
  }
  return violations;
}

function iso(time: number): string {
  return new Date(time).toISOString();
}

function describe(tenures: readonly Tenure[]): string {
  return tenures.map((tenure) => `term ${tenure.term}: ${tenure.primary} ${iso(tenure.from)}–${Number.isFinite(tenure.until) ? iso(tenure.until) : 'now'}`).join('; ');
}

// Turns the chaos log (one JSON record per fault) into test/chaos/RESULTS.md.
import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';

const [file, status, started] = process.argv.slice(2);
const records = readFileSync(file, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line));
const byKind = new Map();
for (const record of records) {
  const kind = record.fault.replace(/^round \d+: /, '');
  byKind.set(kind, [...(byKind.get(kind) ?? []), record.outageMs]);
}
const rows = [...byKind].map(([kind, outages]) => {
  const sorted = [...outages].sort((a, b) => a - b);
  return `| ${kind} | ${sorted.length} | ${sorted[Math.floor(sorted.length / 2)]} | ${sorted.at(-1)} |`;
});
const failovers = records.filter((record) => record.fault.startsWith('round ')).length;
process.stdout.write(`# Chaos results (long run)

Run started ${started} on ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}.
Command: \`npm run chaos:long\` (CHAOS_FAILOVERS=${process.env.CHAOS_FAILOVERS}).

**Verdict: ${status === '0' ? 'PASSED — no acknowledged commit lost, replicas converged, every acknowledgement from the primary etcd named at the time (checked from outside), one instance per timeline' : `FAILED (vitest exit status ${status})`}.**
Faults injected: ${records.length}, of which ${failovers} in the failover loop.

Outage = longest pause between acknowledged writes through a gateway, from the last one before the fault until the cluster settled.

| fault | count | median outage ms | max outage ms |
| --- | --- | --- | --- |
${rows.join('\n')}
`);

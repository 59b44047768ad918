/**
 * `npm run bench:idle`: how much a gateway holding many idle client connections costs. Opens
 * BENCH_CONNECTIONS (default 10,000) SCRAM-authenticated connections to one gateway, runs a
 * query on a sample of them, lets them sit idle past the gateway's link timeout, and reports
 * the gateway's and the primary pooler's resident memory and open file descriptors.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { supervisedPid } from '../test/support/faults';
import { startLocalCluster } from '../test/support/local-cluster';

const COUNT = Number(process.env.BENCH_CONNECTIONS ?? 10_000);

function resources(pid: number): { rssMb: number; fds: number } {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
  return { rssMb: Math.round(Number(line?.split(/\s+/)[1] ?? 0) / 1024), fds: readdirSync(`/proc/${pid}/fd`).length };
}

async function main(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'polygres-idle-'));
  chmodSync(root, 0o755);
  const cluster = await startLocalCluster(root);
  const clients: Client[] = [];
  try {
    const gateway = cluster.layout.gateways[0]!;
    const gatewayPid = supervisedPid(cluster, `gateway-${gateway.zone}`);
    const poolerPid = supervisedPid(cluster, `pooler-${cluster.layout.instances[0]!.name}`);
    const baseline = resources(gatewayPid);
    const started = Date.now();
    for (let opened = 0; opened < COUNT; opened += 250) {
      const batch = Array.from({ length: Math.min(250, COUNT - opened) }, async () => {
        const client = new Client({ host: gateway.host, port: gateway.port, user: 'postgres', password: cluster.secrets.superuserPassword, database: 'postgres' });
        client.on('error', () => undefined);
        await client.connect();
        clients.push(client);
      });
      await Promise.all(batch);
    }
    const connectSeconds = (Date.now() - started) / 1000;
    for (const client of clients.filter((_, i) => i % 500 === 0)) await client.query('SELECT 1');
    const busy = resources(gatewayPid);
    await new Promise((r) => setTimeout(r, 20_000));
    const idle = resources(gatewayPid);
    const pooler = resources(poolerPid);
    const report = [
      '# Idle connections on one gateway',
      '',
      `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${new Date().toISOString()}.`,
      `${COUNT} client connections (SCRAM, no TLS) opened in ${connectSeconds.toFixed(1)} s to one gateway of the default local cluster, then left idle.`,
      '',
      '| | gateway RSS MB | gateway open fds | primary pooler RSS MB | primary pooler open fds |',
      '| --- | --- | --- | --- | --- |',
      `| before | ${baseline.rssMb} | ${baseline.fds} | - | - |`,
      `| all connected | ${busy.rssMb} | ${busy.fds} | - | - |`,
      `| idle 20 s (links closed) | ${idle.rssMb} | ${idle.fds} | ${pooler.rssMb} | ${pooler.fds} |`,
      '',
      `Gateway memory per idle connection: about ${(((idle.rssMb - baseline.rssMb) * 1024) / COUNT).toFixed(1)} KiB.`,
      '',
    ].join('\n');
    process.stdout.write(report);
    mkdirSync(join(__dirname, 'results'), { recursive: true });
    writeFileSync(join(__dirname, 'results', 'idle-connections.md'), report);
  } finally {
    await Promise.all(clients.map((client) => client.end().catch(() => undefined)));
    await cluster.stop();
    rmSync(root, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});

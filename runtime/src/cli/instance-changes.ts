/**
 * Instances (and zones) joining or leaving a running local cluster (polygres apply). Joining:
 * the layout gains the instance (new ports, after the cluster's range) and a new zone's gateway
 * and orchestrator; the supervisor starts them, the orchestrators restart to register the
 * instance; its pooler restores it from the latest backup and streams; only then does the rule
 * take it in. Leaving: a primary is switched away from first;
 * the rule lets it go (never below what the policy needs: the spec was validated); the
 * orchestrators restart to forget it, so gateways stop sending it sessions; once those it has
 * end (a minute at most), the supervisor stops it and its data is deleted.
 */
import { rmSync } from 'node:fs';
import { writeBackupConfig } from '../deployment/backup-files';
import type { ClusterLayout, InstanceLayout } from '../deployment/layout';
import { callAdmin } from '../admin/http-client';
import { readSecrets } from '../deployment/secrets';
import { withInstances, withoutInstances, withoutZones, withZones } from '../deployment/layout-instances';
import { writeLayout } from '../deployment/layout-file';
import { restartOrchestrators } from '../local/restart-orchestrators';
import { readSupervisorState, supervisorPidFile } from '../local/supervisor-files';
import type { ClusterSpec } from '../spec/schema';
import type { ShardRule } from '../topo/records';
import { isListening, sleep, waitFor } from '../util/net';
import { readPidFile } from '../util/processes';
import { waitUntilServing } from './instance-admin';
import { callOrchestrator, switchOverCluster } from './orchestrator-api';
import { localClusterStatus } from './status-command';

type Out = (line: string) => void;

/** How long a leaving instance's sessions may take to end before it stops. */
const DRAIN_MS = 60_000;

/** A standby restored from a large backup may take a while. */
const JOIN_TIMEOUT_MS = 6 * 3_600_000;

/** The instances `next` adds join; returns the layout with them. */
export async function addInstances(layout: ClusterLayout, next: ClusterSpec, out: Out): Promise<ClusterLayout> {
  const added = next.instances.filter((instance) => !layout.instances.some((existing) => existing.name === instance.name));
  const zones = next.zones.map((zone) => zone.name).filter((zone) => !layout.gateways.some((gateway) => gateway.zone === zone));
  let current = layout;
  if (added.length > 0) {
    current = withInstances(withZones(current, zones), added);
    for (const instance of current.instances.filter((candidate) => added.some((a) => a.name === candidate.name))) {
      for (const port of [instance.port, instance.poolerPort, instance.adminPort]) {
        if (await isListening(instance.host, port)) throw new Error(`port ${port}, which ${instance.name} would take, is in use; free it and apply again`);
      }
    }
    writeLayout(current);
    writeBackupConfig(current, next);
    if (zones.length > 0) out(`Adding zone ${zones.join(', ')}: its gateway and orchestrator start...`);
    out(`Adding ${added.map((a) => a.name).join(', ')}: registering, then restoring from the latest backup...`);
    const since = Date.now();
    const children = [...added.map((a) => `pooler-${a.name}`), ...zones.flatMap((zone) => [`gateway-${zone}`, `orchestrator-${zone}`])];
    await reloadSupervisor(current, (names) => children.every((name) => names.includes(name)));
    await restartOrchestrators(current);
    for (const { name } of added) {
      await waitUntilServing(current, name, 'replica', since, JOIN_TIMEOUT_MS);
      out(`  ${name} is streaming`);
    }
    const rule = await callOrchestrator<ShardRule>(current, { method: 'POST', path: '/v1/members', body: { members: current.instances.map((i) => i.name) }, timeoutMs: 120_000 });
    out(`  term ${rule.term}: members ${rule.members.join(', ')}`);
  }
  return current;
}

/** The instances `next` no longer has leave; returns the layout without them. */
export async function removeInstances(layout: ClusterLayout, next: ClusterSpec, out: Out): Promise<ClusterLayout> {
  const wanted = next.instances.map((instance) => instance.name);
  const removed = layout.instances.filter((instance) => !wanted.includes(instance.name)).map((instance) => instance.name);
  let current = layout;
  if (removed.length > 0) {
    const status = await localClusterStatus(current.stateDir);
    if (status.primary && removed.includes(status.primary)) {
      const to = status.instances.find((instance) => !removed.includes(instance.name) && instance.healthy)?.name;
      if (!to) throw new Error(`${status.primary} is the primary and no remaining instance is healthy to take over`);
      out(`Switching over from ${status.primary} to ${to} before it leaves...`);
      await switchOverCluster(current, to);
    }
    const rule = await callOrchestrator<ShardRule>(current, { method: 'POST', path: '/v1/members', body: { members: wanted }, timeoutMs: 120_000 });
    out(`Removing ${removed.join(', ')}: term ${rule.term}, members ${rule.members.join(', ')}`);
    const leaving = current.instances.filter((instance) => removed.includes(instance.name));
    const zones = current.gateways.map((gateway) => gateway.zone).filter((zone) => !next.zones.some((candidate) => candidate.name === zone));
    current = withoutZones(withoutInstances(current, removed), zones);
    writeLayout(current);
    writeBackupConfig(current, next);
    // The orchestrators forget it (the registry follows the layout): gateways stop choosing it.
    await restartOrchestrators(current);
    await drain(current, leaving, out);
    const children = [...removed.map((name) => `pooler-${name}`), ...zones.flatMap((zone) => [`gateway-${zone}`, `orchestrator-${zone}`])];
    await reloadSupervisor(current, (names) => children.every((name) => !names.includes(name)));
    if (zones.length > 0) out(`  zone ${zones.join(', ')}: its gateway and orchestrator stopped`);
    for (const instance of leaving) rmSync(instance.instanceDir, { recursive: true, force: true });
    out(`  ${removed.join(', ')} stopped and deleted`);
  }
  return current;
}

/**
 * Waits (up to a minute) until no session is left on the leaving instances' poolers — the
 * replica reads a gateway sent there before it stopped choosing them — then lets them go.
 */
async function drain(layout: ClusterLayout, leaving: readonly InstanceLayout[], out: Out): Promise<void> {
  const token = readSecrets(layout.secretsFile).adminToken;
  const sessions = async () => {
    let total = 0;
    for (const instance of leaving) total += (await callAdmin<{ sessions: number }>({ host: instance.host, port: instance.adminPort, token, path: '/v1/pools' }).catch(() => ({ sessions: 0 }))).sessions;
    return total;
  };
  const deadline = Date.now() + DRAIN_MS;
  let left = await sessions();
  while (left > 0 && Date.now() < deadline) {
    await sleep(250);
    left = await sessions();
  }
  if (left > 0) out(`  ${left} session(s) still open on ${leaving.map((instance) => instance.name).join(', ')} after ${DRAIN_MS / 1000} s: they are closed now`);
}

/** Asks the supervisor to match the layout on disk, and waits until its children say so. */
async function reloadSupervisor(layout: ClusterLayout, done: (children: string[]) => boolean): Promise<void> {
  const pid = readPidFile(supervisorPidFile(layout));
  if (pid === undefined) throw new Error(`the supervisor of cluster "${layout.cluster}" is not running; start it with polygres up`);
  process.kill(pid, 'SIGHUP');
  await waitFor('the supervisor to match the new layout', () => {
    const state = readSupervisorState(layout);
    return state && done(state.children.map((child) => child.name)) ? true : undefined;
  }, { timeoutMs: 120_000, intervalMs: 200 });
}

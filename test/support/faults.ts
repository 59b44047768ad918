/** Fault injection on a local cluster's real processes, by pid. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from '../../runtime/src/util/net';
import { descendantsOf } from '../../runtime/src/util/process-tree';
import type { ShardRule } from '../../runtime/src/topo/records';
import type { LocalCluster } from './local-cluster';

export function postmasterPid(cluster: LocalCluster, instance: string): number {
  const dir = cluster.layout.instances.find((i) => i.name === instance)!.instanceDir;
  return Number(readFileSync(join(dir, 'pgdata', 'postmaster.pid'), 'utf8').split('\n')[0]);
}

/** Pid of a supervised process (`pooler-zone-a-0`, `etcd`, `orchestrator-zone-b`, ...). */
export function supervisedPid(cluster: LocalCluster, name: string): number {
  return Number(readFileSync(join(cluster.layout.runDir, `${name}.pid`), 'utf8').trim());
}

/**
 * SIGKILLs the postmaster of `instance`. Until its pooler notices (within a health-check
 * interval) the status still shows the dead server healthy: `replaced()` waits for the
 * postmaster that takes its place (restarted in place, or as a replica after a failover), after
 * which a healthy status is about the new one.
 */
export function killPostgres(cluster: LocalCluster, instance: string): { replaced(): Promise<void> } {
  const killed = postmasterPid(cluster, instance);
  process.kill(killed, 'SIGKILL');
  const replacement = () => {
    try {
      return postmasterPid(cluster, instance) !== killed ? true : undefined;
    } catch {
      return undefined; // postmaster.pid is rewritten as the new one starts
    }
  };
  return { replaced: async () => void (await waitFor(`a new postmaster for ${instance} in place of the killed one`, replacement)) };
}

/** SIGSTOPs the postmaster and every process it forked; returns a function that thaws them. */
export function freezePostgres(cluster: LocalCluster, instance: string): () => void {
  const postmaster = postmasterPid(cluster, instance);
  const pids = [postmaster, ...descendantsOf(postmaster)];
  process.kill(postmaster, 'SIGSTOP');
  for (const pid of pids.slice(1)) {
    try {
      process.kill(pid, 'SIGSTOP');
    } catch {
      // A short-lived child (a backend that just ended) may be gone already.
    }
  }
  return () => {
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGCONT');
      } catch {
        // Fenced (killed) meanwhile.
      }
    }
  };
}

/** SIGSTOPs one process; returns a function that thaws it (safe to call twice). */
export function freezeProcess(pid: number): () => void {
  process.kill(pid, 'SIGSTOP');
  return () => {
    try {
      process.kill(pid, 'SIGCONT');
    } catch {
      // Gone meanwhile.
    }
  };
}

/**
 * Kills the orchestrator running an election in the middle of it. A standby's pooler is
 * frozen so the election waits for its answer; `start` begins the election (freeze the
 * primary, ask for a switchover); once it is under way its orchestrator is SIGKILLed and the
 * pooler thawed. Returns the election that lost its orchestrator, and when.
 */
export async function killOrchestratorMidElection(cluster: LocalCluster, start: () => void, timeoutMs: number): Promise<{ election: ShardRule['election'] & object; killedAt: number }> {
  const before = await cluster.statusNow();
  const standby = before.instances.find((instance) => instance.name !== before.primary)!.name;
  const thawPooler = freezeProcess(supervisedPid(cluster, `pooler-${standby}`));
  try {
    start();
    const electing = await cluster.waitForStatus('an election under way', (status) => status.election !== null, timeoutMs);
    const killedAt = Date.now();
    process.kill(supervisedPid(cluster, electing.election!.by), 'SIGKILL');
    return { election: electing.election!, killedAt };
  } finally {
    thawPooler();
  }
}

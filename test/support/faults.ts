/** Fault injection on a local cluster's real processes, by pid. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { descendantsOf } from '../../runtime/src/util/process-tree';
import type { LocalCluster } from './local-cluster';

export function postmasterPid(cluster: LocalCluster, instance: string): number {
  const dir = cluster.layout.instances.find((i) => i.name === instance)!.instanceDir;
  return Number(readFileSync(join(dir, 'pgdata', 'postmaster.pid'), 'utf8').split('\n')[0]);
}

/** Pid of a supervised process (`pooler-zone-a-0`, `etcd`, `orchestrator-zone-b`, ...). */
export function supervisedPid(cluster: LocalCluster, name: string): number {
  return Number(readFileSync(join(cluster.layout.runDir, `${name}.pid`), 'utf8').trim());
}

export function killPostgres(cluster: LocalCluster, instance: string): void {
  process.kill(postmasterPid(cluster, instance), 'SIGKILL');
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

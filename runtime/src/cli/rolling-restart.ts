/**
 * Restarting Postgres across the cluster in the order that keeps writes going: the standbys
 * one at a time (each back and streaming before the next), then a switchover to one of them,
 * which restarts the old primary as a standby on its own. Writes pause once, for the
 * switchover. Lowering a setting a standby must have at least as much of as its primary
 * (max_connections...) goes the other way: the primary restarts in place first (writes pause
 * for that restart), then the standbys. Used by `polygres restart --rolling` and by `polygres apply` for parameters that
 * need a restart (then only where Postgres reports the restart pending).
 */
import { AdminCallError } from '../admin/http-client';
import { waitFor } from '../util/net';
import type { SwitchoverOutcome } from '../admin/switchover-request';
import type { ClusterLayout } from '../deployment/layout';
import { askInstance, waitUntilServing } from './instance-admin';
import { switchOverCluster } from './orchestrator-api';
import { localClusterStatus } from './status-command';

export interface RollingRestartOptions {
  /** Restart only the instances this says still need it (default: every instance). */
  readonly needsRestart?: (instance: string) => Promise<boolean>;
  /** The primary first, in place: the restart lowers a hot-standby setting. */
  readonly primaryFirst?: boolean;
  readonly out: (line: string) => void;
}

export async function rollingRestart(layout: ClusterLayout, options: RollingRestartOptions): Promise<void> {
  const { out } = options;
  const needs = options.needsRestart ?? (async () => true);
  const status = await localClusterStatus(layout.stateDir);
  const primary = status.primary;
  if (!primary || status.ruleStatus !== 'serving') throw new Error('the cluster has no serving primary right now; see polygres status');
  const standbys = status.instances.filter((instance) => instance.name !== primary).map((instance) => instance.name);
  if (options.primaryFirst) {
    out(`${primary} first, in place: standbys may not run with less of a hot-standby setting than their primary (writes pause until it is back)...`);
    await restartOne(layout, primary, 'primary', out);
    for (const name of standbys) if (await needs(name)) await restartOne(layout, name, 'replica', out);
    return;
  }
  const restarted: string[] = [];
  for (const name of standbys) {
    if (!(await needs(name))) continue;
    await restartOne(layout, name, 'replica', out);
    restarted.push(name);
  }
  if (!(await needs(primary))) return;
  if (standbys.length === 0) {
    out(`${primary} is the only instance: restarting it in place (writes pause until it is back)...`);
    await restartOne(layout, primary, 'primary', out);
    return;
  }
  const to = restarted[0] ?? standbys[0]!;
  out(`Switching over from ${primary} to ${to}, so that ${primary} restarts as a standby...`);
  const result = await switchOver(layout, primary, to, standbys, out);
  out(`  term ${result.term}: ${result.primary} is primary; writes paused ${result.durationMs} ms`);
  await waitUntilServing(layout, primary, 'replica');
  // The switchover restarted it; a restart still pending (it was not rendered yet) gets one more.
  if (await needs(primary)) await restartOne(layout, primary, 'replica', out);
  out(`  ${primary} serves as a standby`);
}

/** Tries a refused switchover again this many times. */
const SWITCHOVER_ATTEMPTS = 3;

/**
 * The switchover, tried again when the election refused it because a recruit could not tell
 * its position in time (a standby just restarted, a loaded machine: "the most advanced recruit
 * ... cannot be promoted"). A refused switchover rolls back — the old primary serves again —
 * so trying again, once every instance serves as before, is safe.
 */
async function switchOver(layout: ClusterLayout, primary: string, to: string, standbys: readonly string[], out: (line: string) => void): Promise<SwitchoverOutcome> {
  for (let attempt = 1; ; attempt++) {
    const since = Date.now();
    try {
      return await switchOverCluster(layout, to);
    } catch (error) {
      if (attempt >= SWITCHOVER_ATTEMPTS || !(error instanceof AdminCallError) || !/cannot be promoted/.test(error.message)) throw error;
      out(`  the switchover was refused (${error.message}); trying again once every instance serves`);
      const serving = await waitFor('the cluster serving again', async () => {
        const status = await localClusterStatus(layout.stateDir).catch(() => undefined);
        return status?.ruleStatus === 'serving' && status.primary ? status.primary : undefined;
      }, { timeoutMs: 120_000, intervalMs: 500 });
      if (serving !== primary) throw error; // another election moved the primary meanwhile: say what happened
      await waitUntilServing(layout, primary, 'primary', since);
      for (const name of standbys) await waitUntilServing(layout, name, 'replica', since);
    }
  }
}

async function restartOne(layout: ClusterLayout, name: string, role: 'primary' | 'replica', out: (line: string) => void): Promise<void> {
  out(`Restarting ${name}...`);
  const { postmasterPid } = await askInstance<{ postmasterPid: number | null }>(layout, name, '/v1/restart');
  await waitUntilServing(layout, name, role);
  out(`  ${name} is back (postmaster ${postmasterPid ?? '?'})${role === 'replica' ? ', streaming' : ''}`);
}

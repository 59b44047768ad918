/**
 * `polygres apply --spec FILE`: changes a running cluster to a new spec, in the safest order,
 * after showing what each change costs. The spec file every service reads first; new instances
 * join, then the policy changes, then leaving instances go (instance-changes.ts);
 * Postgres' settings reloaded everywhere; a rolling restart only where Postgres reports a
 * restart pending; the orchestrators last, for a new backup schedule. What cannot change on a
 * running cluster is refused, with the reason, before anything happens (exit 2).
 */
import { renameSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { ClusterLayout } from '../deployment/layout';
import { readLayoutOfStateDir } from '../deployment/layout-file';
import { restartOrchestrators } from '../local/restart-orchestrators';
import type { ShardRule } from '../topo/records';
import { policyFor } from '../consensus/registry';
import { loadSpecFile } from '../spec/load';
import type { ClusterSpec } from '../spec/schema';
import { type SpecChange, describeChange, specChanges } from '../spec/spec-changes';
import { formatProblem } from '../spec/spec-error';
import { giveTo } from '../util/os-account';
import { UsageError } from './cli-errors';
import { confirm } from './confirm';
import { askInstance } from './instance-admin';
import { addInstances, removeInstances } from './instance-changes';
import { reloadAll } from './maintenance-commands';
import { callOrchestrator } from './orchestrator-api';
import { clusterStateDir } from './resolve-state-dir';
import { rollingRestart } from './rolling-restart';
import { localClusterStatus } from './status-command';
import { zoneNetworkRefusals } from '../local/zone-placement';

type Out = (line: string) => void;

export function addApplyCommand(program: Command, out: Out): void {
  program
    .command('apply')
    .description('change a running cluster to a new spec: shows what each change costs (nothing, reload, rolling restart), then applies it live in the safest order')
    .requiredOption('--spec <file>', 'the new ClusterSpec')
    .option('--state-dir <dir>', 'state directory of the cluster')
    .option('--dry-run', 'show the plan and change nothing')
    .option('--yes', 'do not ask before the switchover a rolling restart needs')
    .action(async (options: { spec: string; stateDir?: string; dryRun?: boolean; yes?: boolean }) => {
      const layout = readLayoutOfStateDir(clusterStateDir(options.stateDir));
      const { spec: next, warnings } = loadSpecFile(options.spec);
      for (const warning of warnings) out(`warning: ${formatProblem(warning).trim()}`);
      const current = loadSpecFile(layout.specFile).spec;
      const changes = [...specChanges(current, next), ...zoneNetworkRefusals(layout, next)];
      if (changes.length === 0) return out('No changes: the cluster already runs this spec.');
      out(`Plan for cluster "${layout.cluster}":`);
      for (const change of changes) out(`  ${describeChange(change)}`);
      const refused = changes.filter((change) => change.effect === 'refused');
      if (refused.length > 0) throw new UsageError(`${refused.length} change(s) cannot be made on a running cluster (see [refused] above); nothing was changed`);
      if (options.dryRun) return out('Dry run: nothing was changed.');
      if (changes.some((change) => change.effect === 'rolling-restart')) {
        await confirm({ consequence: 'restart Postgres on every instance, switching the primary over once (writes pause for about a second)', yes: options.yes ?? false });
      }
      await applyChanges(layout, next, changes, out);
      out('Applied.');
    });
}

export async function applyChanges(before: ClusterLayout, next: ClusterSpec, changes: readonly SpecChange[], out: Out): Promise<void> {
  let layout = before;
  const instances = changes.some((change) => change.effect === 'instances');
  writeSpecFile(layout, next);
  // New instances join before a policy that may need them; leaving ones go after one that lets them.
  if (instances) layout = await addInstances(layout, next, out);
  if (changes.some((change) => change.effect === 'durability')) {
    const rule = await callOrchestrator<ShardRule>(layout, { method: 'POST', path: '/v1/durability', body: { durability: next.durability }, timeoutMs: 120_000 });
    out(`Durability is ${policyFor(rule.policy).describe()} (term ${rule.term}).`);
  }
  if (instances) layout = await removeInstances(layout, next, out);
  const pending = await reloadAll(layout, out);
  if (pending.length > 0) {
    out(`Restarting where Postgres waits for it (${[...new Set(pending.flatMap((entry) => entry.pendingRestart))].join(', ')})...`);
    const stillPending = async (instance: string) => (await askInstance<{ pendingRestart: string[] }>(layout, instance, '/v1/reload')).pendingRestart.length > 0;
    const { primary } = await localClusterStatus(layout.stateDir);
    const primaryFirst = pending.some((entry) => entry.instance === primary && entry.lowered.length > 0);
    await rollingRestart(layout, { needsRestart: stillPending, primaryFirst, out });
  }
  if (changes.some((change) => change.effect === 'orchestrators' || change.path === 'backup')) {
    out('Restarting the orchestrators one at a time, so they read the new spec...');
    await restartOrchestrators(layout);
  }
}

/** Replaced whole (a service reading it meanwhile sees the old spec or the new, never half). */
function writeSpecFile(layout: ClusterLayout, spec: ClusterSpec): void {
  const temporary = `${layout.specFile}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(spec, null, 2)}\n`, { mode: 0o644 });
  giveTo(layout.serviceUser, temporary);
  renameSync(temporary, layout.specFile);
}

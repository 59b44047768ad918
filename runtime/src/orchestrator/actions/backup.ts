/**
 * A scheduled backup: claimed by compare-and-swap on the backup state (so only one
 * orchestrator runs it, and only one runs at a time), taken by a healthy standby's pooler (the
 * primary when there is none), and recorded — stop time, outcome, history — when it ends. It
 * runs in the background: the detection loop keeps watching the cluster meanwhile.
 */
import type { BackupRecord } from '../../backup/pgbackrest-runner';
import type { BackupState } from '../../topo/records';
import { callAdmin } from '../../admin/http-client';
import { readServiceSecrets } from '../../deployment/secrets';
import { type OrchestratorContext, recordHistory } from '../context';
import type { Snapshot } from '../snapshot';

export async function startScheduledBackup(context: OrchestratorContext, snapshot: Snapshot, type: 'full' | 'diff' | 'incr'): Promise<void> {
  const current = await context.topo.getBackupState();
  // The snapshot said a backup was due; if the state moved since (another orchestrator's
  // backup finished, or was claimed, in between), that judgment is stale: the next look decides.
  if ((current?.modRevision ?? '0') !== (snapshot.backups?.state?.modRevision ?? '0')) return;
  const before: BackupState = current?.value ?? { last: {}, running: null, lastResult: null };
  const claimed: BackupState = { ...before, running: { by: context.me.name, type, since: new Date().toISOString() } };
  if (!(await context.topo.replaceBackupState(claimed, current?.modRevision ?? '0'))) return;
  const term = snapshot.rule?.value.term ?? 0;
  const source = [...snapshot.statuses.values()].find((status) => status?.role === 'replica' && status.healthy) ?? [...snapshot.statuses.values()].find((status) => status?.healthy);
  const instance = context.layout.instances.find((candidate) => candidate.name === source?.instance);
  await recordHistory(context, { term, action: `backup-${type}`, outcome: 'started', detail: `from ${instance?.name ?? 'nowhere'}` });
  void (async () => {
    let result: BackupState['lastResult'];
    let stop: string | undefined;
    try {
      if (!instance) throw new Error('no healthy instance to back up from');
      const { adminToken } = readServiceSecrets(context.layout.secretsFile);
      const record = await callAdmin<BackupRecord>({ host: instance.host, port: instance.adminPort, token: adminToken, method: 'POST', path: '/v1/backup', body: { type }, timeoutMs: 24 * 3_600_000 });
      stop = record.stop;
      result = { type, outcome: 'done', detail: `${record.label} from ${instance.name}`, at: new Date().toISOString() };
    } catch (error) {
      result = { type, outcome: 'failed', detail: (error as Error).message, at: new Date().toISOString() };
    }
    await recordHistory(context, { term, action: `backup-${type}`, outcome: result.outcome, detail: result.detail });
    // Record the outcome; retry the compare-and-swap if the state moved (it should not: we hold the claim).
    for (let attempt = 0; attempt < 5; attempt++) {
      const latest = await context.topo.getBackupState().catch(() => undefined);
      const base = latest?.value ?? claimed;
      const next: BackupState = { last: stop ? { ...base.last, [type]: stop } : base.last, running: null, lastResult: result };
      if (await context.topo.replaceBackupState(next, latest?.modRevision ?? '0').catch(() => false)) return;
    }
    context.log.warn({ type }, 'could not record the backup outcome');
  })();
}

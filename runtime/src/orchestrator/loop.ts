/**
 * The orchestrator's detection loop: snapshot, analyze, and act on the first problem whose
 * evidence has held through its grace period. Actions run one at a time per orchestrator
 * (shared with admin API actions); across orchestrators, terms keep them safe. Rejoins run
 * beside the loop, one per instance: a clone can take hours, and a rewind may wait on a primary
 * that froze meanwhile — the loop must stay free to see that and fail over (the recruit then
 * stops the rewind, agent/instance-operations.ts).
 */
import type { OrchestratorContext } from './context';
import { rejoin, rejoinSucceeded } from './actions/rejoin';
import { startScheduledBackup } from './actions/backup';
import { runElection } from './actions/elect';
import { analyze, type Problem } from './analyzers';
import { completeBootstrap } from './bootstrap';
import { EvidenceTracker } from './evidence';
import { type Snapshot, takeSnapshot } from './snapshot';
import type { ShardRule } from '../topo/records';
import { Repeating } from '../util/repeat';

const LOOP_INTERVAL_MS = 200;
const MAX_JITTER_MS = 200;

export class OrchestratorLoop {
  private readonly evidence = new EvidenceTracker(MAX_JITTER_MS);
  private actions: Promise<unknown> = Promise.resolve();
  /** Instances being rejoined now. */
  private readonly rejoining = new Set<string>();
  /** The problems of the last snapshot, for the admin API's status. */
  problems: readonly Problem[] = [];
  /** The last look at the cluster, for the metrics. */
  lastSnapshot: Snapshot | undefined;

  constructor(
    private readonly context: OrchestratorContext,
    private readonly onProblems: (problems: readonly Problem[]) => void = () => undefined,
  ) {}

  private readonly ticks = new Repeating(() => this.tick(), LOOP_INTERVAL_MS, (error) => this.context.log.warn({ err: error.message }, 'orchestrator tick failed'));

  run(): Promise<void> {
    return this.ticks.run();
  }

  stop(): void {
    this.ticks.stop();
  }

  /** Runs `work` when no other action of this orchestrator is running. */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    const next = this.actions.then(work, work);
    this.actions = next.catch(() => undefined);
    return next;
  }

  private async tick(): Promise<void> {
    const snapshot = await takeSnapshot(this.context);
    const problems = analyze(snapshot);
    this.problems = problems;
    this.lastSnapshot = snapshot;
    this.onProblems(problems);
    this.evidence.observe(problems.map((problem) => problem.key), snapshot.at);
    for (const [name, status] of snapshot.statuses) if (status?.walReceiver === 'streaming') rejoinSucceeded(name);
    const ripe = problems.find((problem) => problem.fix.kind !== 'report' && !this.underWay(problem) && this.evidence.ripe(problem.key, problem.graceMs, snapshot.at));
    if (!ripe) return;
    await this.exclusive(() => this.act(ripe, snapshot));
    this.evidence.forget(ripe.key);
  }

  /** Its fix is a rejoin running already: acting again would only queue behind it. */
  private underWay(problem: Problem): boolean {
    return problem.fix.kind === 'rejoin' && this.rejoining.has(problem.fix.instance);
  }

  private rejoinInBackground(rule: ShardRule, instance: string, formerPrimary: boolean): void {
    if (this.rejoining.has(instance)) return;
    this.rejoining.add(instance);
    rejoin(this.context, rule, instance, formerPrimary)
      .catch((error: unknown) => this.context.log.warn({ instance, err: (error as Error).message }, 'rejoin failed'))
      .finally(() => this.rejoining.delete(instance));
  }

  private async act(problem: Problem, snapshot: Snapshot): Promise<void> {
    // Re-read the rule: another orchestrator may have acted while we waited for our turn.
    const rule = await this.context.topo.getRule();
    if (!rule || rule.modRevision !== snapshot.rule?.modRevision) return;
    switch (problem.fix.kind) {
      case 'complete-bootstrap':
        await completeBootstrap(this.context.topo, (name) => this.context.poolers.status(name).catch(() => undefined), this.context.me.name, this.context.log);
        return;
      case 'failover': {
        this.context.log.warn({ problem: problem.description }, 'failing over');
        const lostAt = this.evidence.since(problem.key);
        const { reason, exclude } = problem.fix;
        const result = await runElection(this.context, rule, { kind: 'failover', reason, fence: 'kill', ...(exclude ? { exclude } : {}), ...(lostAt !== undefined ? { lostAt } : {}) });
        this.context.log.info(result, 'election finished');
        return;
      }
      case 'backup':
        await startScheduledBackup(this.context, snapshot, problem.fix.type);
        return;
      case 'rejoin': {
        const formerPrimary = snapshot.statuses.get(problem.fix.instance)?.phase === 'needs-rejoin';
        this.rejoinInBackground(rule.value, problem.fix.instance, formerPrimary);
        return;
      }
      case 'report':
        return;
    }
  }
}

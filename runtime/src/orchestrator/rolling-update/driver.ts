/**
 * Rolling updates on Kubernetes. The instance StatefulSets update `OnDelete`: a new image or
 * configuration changes their template, and nothing restarts until a pod is deleted. The
 * orchestrator of the primary's zone drives the order (plan.ts): it compares each instance
 * pod's `controller-revision-hash` with its StatefulSet's `updateRevision`, deletes out-of-date
 * standbys' pods one at a time, switches over, then deletes the old primary's.
 *
 * Every step is decided afresh from the API server and the cluster, so an orchestrator
 * restarted mid-update (its own Deployment rolls in the same apply), or the next zone's after a
 * switchover, carries on where the last one stopped.
 */
import type { KubernetesApi, PodObject, StatefulSetObject } from '../../kubernetes/api-client';
import { podReady } from '../../kubernetes/api-client';
import { Repeating } from '../../util/repeat';
import { switchover } from '../actions/switchover';
import { analyze } from '../analyzers';
import { type OrchestratorContext, recordHistory } from '../context';
import type { OrchestratorLoop } from '../loop';
import { takeSnapshot } from '../snapshot';
import { type InstancePod, type RolloutStep, nextRolloutStep } from './plan';

const STEP_INTERVAL_MS = 3_000;
export const INSTANCE_LABEL = 'polygres.dev/instance';
export const REVISION_LABEL = 'controller-revision-hash';

export class RollingUpdates {
  private readonly steps = new Repeating(() => this.step(), STEP_INTERVAL_MS, (error) => this.context.log.warn({ err: error.message }, 'rolling update step failed'));
  private updating = false;
  private lastWait = '';

  constructor(
    private readonly context: OrchestratorContext,
    private readonly loop: OrchestratorLoop,
    private readonly api: KubernetesApi,
    /** Labels of the cluster's instance pods and StatefulSets. */
    private readonly selector: Record<string, string>,
  ) {}

  run(): Promise<void> {
    return this.steps.run();
  }

  stop(): void {
    this.steps.stop();
  }

  private async step(): Promise<void> {
    // One driver at a time: the orchestrator of the primary's zone. The others stop at the rule,
    // without asking every pooler for a snapshot they would not use.
    if (!this.leads((await this.context.topo.getRule())?.value.primary)) return;
    // Fresh, not the loop's last: that one stands still while the loop runs an election.
    const snapshot = await takeSnapshot(this.context);
    if (!this.leads(snapshot.rule?.value.primary)) return;
    const [sets, pods] = await Promise.all([this.api.listStatefulSets(this.selector), this.api.listPods(this.selector)]);
    const step = nextRolloutStep(instancePods(this.context.layout.instances.map((instance) => instance.name), sets, pods), snapshot, analyze(snapshot));
    await this.take(step, snapshot.rule!.value.term);
  }

  private leads(primary: string | undefined): boolean {
    return this.context.layout.instances.find((instance) => instance.name === primary)?.zone === this.context.me.zone;
  }

  private async take(step: RolloutStep, term: number): Promise<void> {
    switch (step.kind) {
      case 'up-to-date':
        if (this.updating) await recordHistory(this.context, { term, action: 'rolling-update', outcome: 'done', detail: 'every instance pod runs its current template' });
        this.updating = false;
        return;
      case 'wait':
        if (step.reason !== this.lastWait) this.context.log.info({ reason: step.reason }, 'rolling update waits');
        this.lastWait = step.reason;
        return;
      case 'restart':
        this.lastWait = '';
        if (!this.updating) await recordHistory(this.context, { term, action: 'rolling-update', outcome: 'started', detail: 'instance pods out of date: standbys first, then a switchover, then the old primary' });
        this.updating = true;
        await this.api.deletePod(step.pod);
        await recordHistory(this.context, { term, action: 'rolling-update-restart', outcome: 'done', detail: `deleted pod ${step.pod} of ${step.instance}` });
        return;
      case 'switchover':
        this.lastWait = '';
        this.updating = true;
        await this.loop.exclusive(() => switchover(this.context, { to: step.to, reason: `rolling update: ${step.from} restarts after its standbys` }));
        return;
    }
  }
}

/** Each instance's pod, out of date when its revision is not its StatefulSet's update revision. */
export function instancePods(instances: readonly string[], sets: readonly StatefulSetObject[], pods: readonly PodObject[]): InstancePod[] {
  return instances.map((instance) => {
    const set = sets.find((candidate) => candidate.metadata.labels?.[INSTANCE_LABEL] === instance);
    const pod = pods.find((candidate) => candidate.metadata.labels?.[INSTANCE_LABEL] === instance);
    if (!pod) return { instance, upToDate: true, ready: false, terminating: false };
    const wanted = set?.status?.updateRevision;
    return {
      instance,
      pod: pod.metadata.name,
      // A StatefulSet that has not reported its revision yet gives nothing to compare with.
      upToDate: wanted === undefined || pod.metadata.labels?.[REVISION_LABEL] === wanted,
      ready: podReady(pod),
      terminating: pod.metadata.deletionTimestamp !== undefined,
    };
  });
}

/**
 * Every rule the topology store holds while a test runs, read from etcd by the test itself —
 * not from the servers that acknowledge writes, so a deposed primary cannot vouch for itself.
 * A watch sees every change to the rule key, in order. The tenures it yields (which instance
 * was primary from when to when) are what the ledger check holds each acknowledgement against.
 */
import type { ClusterLayout } from '../../runtime/src/deployment/layout';
import { openTopoStore } from '../../runtime/src/deployment/topo-access';
import type { ShardRule } from '../../runtime/src/topo/records';
import type { TopoStore } from '../../runtime/src/topo/topo-store';

/** One primary's time in office: from its rule's decision to the next term's. */
export interface Tenure {
  readonly term: number;
  readonly primary: string;
  readonly from: number;
  /** Infinity while it lasts. */
  readonly until: number;
}

export class RuleRecorder {
  private readonly serving = new Map<number, { primary: string; decidedAt: number }>();
  private watch: { cancel(): Promise<void> } | undefined;

  private constructor(private readonly topo: TopoStore) {}

  /** From a local cluster's layout, or a store opened some other way (the pod sandbox's etcd). */
  static async start(from: ClusterLayout | TopoStore): Promise<RuleRecorder> {
    const recorder = new RuleRecorder('watchRule' in from ? from : openTopoStore(from));
    recorder.watch = await recorder.topo.watchRule((rule) => recorder.observe(rule));
    return recorder;
  }

  /** Each term's primary, in term order; a term's tenure ends when the next term is decided. */
  tenures(): Tenure[] {
    const terms = [...this.serving.entries()].sort(([a], [b]) => a - b);
    return terms.map(([term, { primary, decidedAt }], index) => ({ term, primary, from: decidedAt, until: terms[index + 1]?.[1].decidedAt ?? Number.POSITIVE_INFINITY }));
  }

  async stop(): Promise<void> {
    await this.watch?.cancel().catch(() => undefined);
    this.topo.close();
  }

  private observe(rule: ShardRule | undefined): void {
    if (!rule || rule.status !== 'serving' || this.serving.has(rule.term)) return;
    this.serving.set(rule.term, { primary: rule.primary, decidedAt: Date.parse(rule.decidedAt) });
  }
}

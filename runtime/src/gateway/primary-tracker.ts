/**
 * Follows the shard rule in etcd and knows where writes go: the pooler of the primary, once
 * the rule is serving. Connections that arrive while there is none wait for one.
 */
import type { ShardRule } from '../topo/records';
import type { TopoStore } from '../topo/topo-store';
import { type Endpoint, poolerEndpoint } from './pooler-endpoint';

export class PrimaryTracker {
  private current: Endpoint | undefined;
  private waiters: (() => void)[] = [];
  /** Counts the rules heard, so that only the newest one's lookup may set the primary. */
  private rulesHeard = 0;

  /** `onChange` hears about every change of primary endpoint (undefined: none serving). */
  constructor(private readonly topo: TopoStore, private readonly onChange: (primary: Endpoint | undefined) => void = () => undefined) {}

  get primary(): Endpoint | undefined {
    return this.current;
  }

  /** Called with every rule; resolves the primary's pooler endpoint from the instance records. */
  async onRule(rule: ShardRule | undefined): Promise<void> {
    const heard = ++this.rulesHeard;
    if (!rule || rule.status !== 'serving') {
      this.set(undefined);
      return;
    }
    const instances = await this.topo.listInstances();
    // Rules arrive faster than lookups finish (a watch catching up after a partition heals
    // delivers several at once), and lookups may finish out of order: an older rule's, set
    // last, would route writes to a deposed primary until the next rule.
    if (heard !== this.rulesHeard) return;
    const record = instances.find((instance) => instance.name === rule.primary);
    this.set(record ? poolerEndpoint(record) : undefined);
    if (this.current) {
      const waiters = this.waiters;
      this.waiters = [];
      for (const wake of waiters) wake();
    }
  }

  private set(next: Endpoint | undefined): void {
    const changed = next?.instance !== this.current?.instance;
    this.current = next;
    if (changed) this.onChange(next);
  }

  /** The primary's endpoint, waiting up to `timeoutMs` for one to be known. */
  async waitForPrimary(timeoutMs: number): Promise<Endpoint | undefined> {
    if (this.current) return this.current;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((wake) => wake !== done);
        resolve();
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      this.waiters.push(done);
    });
    return this.current;
  }
}

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

  /** `onChange` hears about every change of primary endpoint (undefined: none serving). */
  constructor(private readonly topo: TopoStore, private readonly onChange: (primary: Endpoint | undefined) => void = () => undefined) {}

  get primary(): Endpoint | undefined {
    return this.current;
  }

  /** Called with every rule; resolves the primary's pooler endpoint from the instance records. */
  async onRule(rule: ShardRule | undefined): Promise<void> {
    if (!rule || rule.status !== 'serving') {
      this.set(undefined);
      return;
    }
    const record = (await this.topo.listInstances()).find((instance) => instance.name === rule.primary);
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

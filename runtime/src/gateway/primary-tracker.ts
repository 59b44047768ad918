/**
 * Follows the shard rule in etcd and knows where writes go: the pooler of the primary, once
 * the rule is serving. Connections that arrive while there is none wait for one.
 */
import type { ShardRule } from '../topo/records';
import type { TopoStore } from '../topo/topo-store';

export interface Endpoint {
  readonly instance: string;
  readonly host: string;
  readonly port: number;
}

export class PrimaryTracker {
  private current: Endpoint | undefined;
  private waiters: (() => void)[] = [];

  constructor(private readonly topo: TopoStore) {}

  get primary(): Endpoint | undefined {
    return this.current;
  }

  /** Called with every rule; resolves the primary's pooler endpoint from the instance records. */
  async onRule(rule: ShardRule | undefined): Promise<void> {
    if (!rule || rule.status !== 'serving') {
      this.current = undefined;
      return;
    }
    const record = (await this.topo.listInstances()).find((instance) => instance.name === rule.primary);
    this.current = record ? { instance: record.name, host: record.host, port: record.poolerPort } : undefined;
    if (this.current) {
      const waiters = this.waiters;
      this.waiters = [];
      for (const wake of waiters) wake();
    }
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

/**
 * Follows the shard rule in etcd and knows where writes go: the pooler of the primary, once
 * the rule is serving. Connections that arrive while there is none wait for one.
 */
import type { InstanceRecord, ShardRule } from '../topo/records';
import type { TopoStore } from '../topo/topo-store';
import { sleep } from '../util/net';
import { type Endpoint, poolerEndpoint } from './pooler-endpoint';

/**
 * How long a failed lookup of the newest rule's primary waits before it asks etcd again: the
 * first wait, doubled after each failure up to the last (an outage costs one warning per 5 s).
 */
export const LOOKUP_RETRY_MS = { first: 500, last: 5_000 } as const;

export class PrimaryTracker {
  private current: Endpoint | undefined;
  private waiters: (() => void)[] = [];
  /** Counts the rules heard, so that only the newest one's lookup may set the primary. */
  private rulesHeard = 0;

  /**
   * `onChange` hears about every change of primary endpoint (undefined: none serving);
   * `onLookupFailed` about each failed lookup of a rule's primary (it is retried).
   */
  constructor(
    private readonly topo: TopoStore,
    private readonly onChange: (primary: Endpoint | undefined) => void = () => undefined,
    private readonly onLookupFailed: (error: unknown) => void = () => undefined,
    private readonly retryMs: { readonly first: number; readonly last: number } = LOOKUP_RETRY_MS,
  ) {}

  get primary(): Endpoint | undefined {
    return this.current;
  }

  /**
   * Called with every rule; resolves the primary's pooler endpoint from the instance records.
   * Never rejects: a lookup that fails (etcd slow or cut off for a moment) is asked again
   * (`retryMs`) for as long as this rule is the newest: the next rule may never come, and until
   * the lookup answers, writes go where the rule before sent them (at first, nowhere). A
   * rejection here would be unhandled (the watch's callback), and end the gateway's process.
   */
  async onRule(rule: ShardRule | undefined): Promise<void> {
    const heard = ++this.rulesHeard;
    if (!rule || rule.status !== 'serving') {
      this.set(undefined);
      return;
    }
    let instances = await this.lookUp();
    for (let wait = this.retryMs.first; instances === undefined && heard === this.rulesHeard; wait = Math.min(wait * 2, this.retryMs.last)) {
      await sleep(wait);
      if (heard === this.rulesHeard) instances = await this.lookUp();
    }
    // Rules arrive faster than lookups finish (a watch catching up after a partition heals
    // delivers several at once), and lookups may finish out of order: an older rule's, set
    // last, would route writes to a deposed primary until the next rule.
    if (heard !== this.rulesHeard || instances === undefined) return;
    const record = instances.find((instance) => instance.name === rule.primary);
    this.set(record ? poolerEndpoint(record) : undefined);
    if (this.current) {
      const waiters = this.waiters;
      this.waiters = [];
      for (const wake of waiters) wake();
    }
  }

  /** The instance records, or undefined when etcd did not give them (reported, not thrown). */
  private async lookUp(): Promise<InstanceRecord[] | undefined> {
    try {
      return await this.topo.listInstances();
    } catch (error) {
      this.onLookupFailed(error);
      return undefined;
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

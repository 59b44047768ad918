import { describe, expect, it } from 'vitest';
import type { InstanceRecord, ShardRule } from '../topo/records';
import { MemoryTopoStore } from '../topo/memory-topo-store';
import { PrimaryTracker } from './primary-tracker';

const instance = (name: string, host: string): InstanceRecord => ({ name, zone: name.slice(0, 6), host, port: 5432, poolerPort: 6432, adminPort: 7432 });
const serving = (term: number, primary: string) => ({ term, primary, status: 'serving' }) as unknown as ShardRule;

/** A store whose instance lookups finish when the test says, in any order. */
class HeldLookups extends MemoryTopoStore {
  readonly held: (() => void)[] = [];
  override async listInstances(): Promise<InstanceRecord[]> {
    const instances = await super.listInstances();
    await new Promise<void>((release) => this.held.push(release));
    return instances;
  }
}

describe('PrimaryTracker', () => {
  it('routes to the newest rule when an older rule’s lookup finishes last', async () => {
    const topo = new HeldLookups();
    await topo.putInstance(instance('zone-a-0', '10.0.0.1'));
    await topo.putInstance(instance('zone-b-0', '10.0.0.2'));
    const changes: (string | undefined)[] = [];
    const tracker = new PrimaryTracker(topo, (primary) => changes.push(primary?.instance));
    const older = tracker.onRule(serving(1, 'zone-a-0'));
    const newer = tracker.onRule(serving(2, 'zone-b-0'));
    await new Promise((resolve) => setImmediate(resolve));
    const [releaseOlder, releaseNewer] = topo.held;
    releaseNewer!();
    await newer;
    releaseOlder!();
    await older;
    expect(tracker.primary?.instance).toBe('zone-b-0');
    expect(changes).toEqual(['zone-b-0']);
  });

  it('forgets the primary when the rule stops serving, and wakes waiters when one serves again', async () => {
    const topo = new MemoryTopoStore();
    await topo.putInstance(instance('zone-a-0', '10.0.0.1'));
    const tracker = new PrimaryTracker(topo);
    await tracker.onRule(serving(1, 'zone-a-0'));
    expect(tracker.primary?.host).toBe('10.0.0.1');
    await tracker.onRule({ ...serving(2, 'zone-a-0'), status: 'electing' } as ShardRule);
    expect(tracker.primary).toBeUndefined();
    const waiting = tracker.waitForPrimary(60_000);
    await tracker.onRule(serving(2, 'zone-a-0'));
    expect((await waiting)?.instance).toBe('zone-a-0');
  });

  it('asks again when etcd cannot list the instances, instead of failing (and ending the gateway)', async () => {
    const topo = new FailingLookups(2);
    await topo.putInstance(instance('zone-a-0', '10.0.0.1'));
    const failures: string[] = [];
    const tracker = new PrimaryTracker(topo, undefined, (error) => failures.push((error as Error).message), { first: 1, last: 2 });
    await tracker.onRule(serving(1, 'zone-a-0'));
    expect(tracker.primary?.host).toBe('10.0.0.1');
    expect(failures).toEqual(['14 UNAVAILABLE: etcd unreachable', '14 UNAVAILABLE: etcd unreachable']);
  });

  it('stops asking for a rule once a newer one came: the older one never routes', async () => {
    const topo = new FailingLookups(Infinity);
    await topo.putInstance(instance('zone-a-0', '10.0.0.1'));
    const tracker = new PrimaryTracker(topo, undefined, undefined, { first: 1, last: 2 });
    const older = tracker.onRule(serving(1, 'zone-a-0'));
    await new Promise((resolve) => setTimeout(resolve, 10));
    await tracker.onRule({ ...serving(2, 'zone-a-0'), status: 'electing' } as ShardRule);
    topo.failuresLeft = 0;
    await older;
    expect(tracker.primary).toBeUndefined();
    expect(topo.calls).toBeGreaterThan(1);
  });
});

/** A store whose instance lookups fail the first `failuresLeft` times, as a cut-off etcd's do. */
class FailingLookups extends MemoryTopoStore {
  calls = 0;
  constructor(public failuresLeft: number) {
    super();
  }
  override async listInstances(): Promise<InstanceRecord[]> {
    this.calls += 1;
    if (this.failuresLeft > 0) {
      this.failuresLeft -= 1;
      throw new Error('14 UNAVAILABLE: etcd unreachable');
    }
    return super.listInstances();
  }
}

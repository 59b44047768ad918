/**
 * A network namespace per zone for a local cluster (`polygres up --zone-network`), on one
 * bridge the machine is on, and network faults between them: the pod sandbox's network
 * (test/pod-sandbox/pod-network.ts) with one "pod" per zone, and its partition filters. The
 * machine itself — the test's clients, the CLI — is never cut: it stands for each zone's own
 * clients, which still reach their zone's gateway. `destroy` removes every namespace, link and
 * rule it made (leftovers of a killed run carry the sandbox's prefix, and the sandbox's
 * cleanup removes them).
 */
import { PodNetwork, type PodAddress } from '../pod-sandbox/pod-network';
import { partitionFilters, type ZoneCut } from '../pod-sandbox/partition';

export class ZoneNetworks {
  private constructor(
    private readonly network: PodNetwork,
    private readonly zones: ReadonlyMap<string, PodAddress>,
  ) {}

  static async create(zones: readonly string[]): Promise<ZoneNetworks> {
    const network = new PodNetwork();
    await network.create();
    const placed = new Map<string, PodAddress>();
    try {
      for (const zone of zones) placed.set(zone, await network.addPod(zone));
    } catch (error) {
      await network.destroy();
      throw error;
    }
    return new ZoneNetworks(network, placed);
  }

  /** The flags that put each zone of a new cluster in its namespace. */
  upFlags(): string[] {
    return [...this.zones].flatMap(([zone, address]) => ['--zone-network', `${zone}=${address.netns}@${address.ip}`]);
  }

  /** `zones` and the others stop hearing each other (or one way, or a share of the packets). */
  async cut(zones: readonly string[], direction: ZoneCut['direction'] = 'both', lossPercent?: number): Promise<void> {
    const placed = [...this.zones].map(([zone, address]) => ({ netns: address.netns, ip: address.ip, zone }));
    const cut: ZoneCut = { zones: new Set(zones), direction, ...(lossPercent !== undefined ? { lossPercent } : {}) };
    await this.network.setRules([], partitionFilters(placed, cut));
  }

  async heal(): Promise<void> {
    await this.network.setRules([], new Map());
  }

  /** Call once nothing runs in the namespaces any more. */
  async destroy(): Promise<void> {
    await this.network.destroy();
  }
}

/**
 * The sandbox's cluster network: one Linux bridge in the root network namespace (the "node"),
 * one network namespace per pod with a veth pair onto the bridge and an address of its own,
 * and ClusterIP Services as nftables DNAT rules in every namespace's output hook (what
 * kube-proxy does on each node), spreading new connections over the ready endpoints and
 * refusing them when there are none. Network faults are filter rules in the pods'
 * namespaces: what a pod may not send to, or receive from, or only some of it (partition.ts
 * decides which).
 * Everything it makes carries the sandbox's id, and `destroy` removes it all.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** One ClusterIP port and where its connections go. */
export interface ServiceRoute {
  readonly clusterIp: string;
  readonly port: number;
  readonly endpoints: readonly { ip: string; port: number }[];
}

/** The addresses one pod's packets may not go to, or come from. */
export interface PodFilter {
  readonly dropTo: readonly string[];
  readonly dropFrom: readonly string[];
  /** Drop only this share of those packets, in percent (a lossy link); absent: all of them. */
  readonly lossPercent?: number;
}

export interface PodAddress {
  readonly netns: string;
  readonly ip: string;
  readonly hostLink: string;
}

export class PodNetwork {
  readonly id = randomBytes(2).toString('hex');
  readonly bridge = `pgsbx${this.id}`;
  /** 10.X.0.0/16: pods from .1.1 up, Services from .255.1 up, the bridge (the node) at .0.1. */
  readonly prefix: string;
  private nextPod = 0;
  private nextService = 0;
  private readonly pods = new Map<string, PodAddress>();
  private routes: readonly ServiceRoute[] = [];
  private filters: ReadonlyMap<string, PodFilter> = new Map();

  constructor() {
    this.prefix = `10.${200 + (parseInt(this.id, 16) % 50)}`;
  }

  get nodeIp(): string {
    return `${this.prefix}.0.1`;
  }

  async create(): Promise<void> {
    await ip('link', 'add', this.bridge, 'type', 'bridge');
    await ip('addr', 'add', `${this.nodeIp}/16`, 'dev', this.bridge);
    await ip('link', 'set', this.bridge, 'up');
  }

  allocateServiceIp(): string {
    this.nextService += 1;
    return `${this.prefix}.255.${this.nextService}`;
  }

  /** A new namespace with its own address; a re-created pod gets a new one, as on Kubernetes. */
  async addPod(name: string): Promise<PodAddress> {
    this.nextPod += 1;
    const address: PodAddress = {
      netns: `pgsbx-${this.id}-${name}`,
      ip: `${this.prefix}.${1 + Math.floor(this.nextPod / 250)}.${1 + (this.nextPod % 250)}`,
      hostLink: `ps${this.id}${this.nextPod}`,
    };
    await ip('netns', 'add', address.netns);
    await ip('link', 'add', address.hostLink, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', address.netns);
    await ip('link', 'set', address.hostLink, 'master', this.bridge, 'up');
    await ip('-n', address.netns, 'addr', 'add', `${address.ip}/16`, 'dev', 'eth0');
    await ip('-n', address.netns, 'link', 'set', 'eth0', 'up');
    await ip('-n', address.netns, 'link', 'set', 'lo', 'up');
    await ip('-n', address.netns, 'route', 'add', 'default', 'via', this.nodeIp);
    this.pods.set(address.netns, address);
    await this.writeRules(address.netns);
    return address;
  }

  async removePod(address: PodAddress): Promise<void> {
    this.pods.delete(address.netns);
    await ip('netns', 'del', address.netns).catch(() => undefined);
    await ip('link', 'del', address.hostLink).catch(() => undefined);
  }

  /**
   * Rewrites the Service rules and the faults (by pod namespace) everywhere; connections
   * already made keep their endpoint, and a dropped one stays open until it times out.
   */
  async setRules(routes: readonly ServiceRoute[], filters: ReadonlyMap<string, PodFilter>): Promise<void> {
    this.routes = routes;
    this.filters = filters;
    await Promise.all([this.writeRules(undefined), ...[...this.pods.keys()].map((netns) => this.writeRules(netns))]);
  }

  async destroy(): Promise<void> {
    for (const address of [...this.pods.values()]) await this.removePod(address);
    await run('nft', ['delete', 'table', 'ip', this.table]).catch(() => undefined);
    await ip('link', 'del', this.bridge).catch(() => undefined);
  }

  private get table(): string {
    return `pgsbx${this.id}`;
  }

  private async writeRules(netns: string | undefined): Promise<void> {
    const nat = this.routes
      .filter((route) => route.endpoints.length > 0)
      .map((route) => {
        const targets = route.endpoints.map((endpoint, index) => `${index} : ${endpoint.ip} . ${endpoint.port}`).join(', ');
        return `    ip daddr ${route.clusterIp} tcp dport ${route.port} dnat ip addr . port to numgen random mod ${route.endpoints.length} map { ${targets} }`;
      });
    const closed = this.routes
      .filter((route) => route.endpoints.length === 0)
      .map((route) => `    ip daddr ${route.clusterIp} tcp dport ${route.port} reject with tcp reset`);
    // After the Services' DNAT (priority -100), so a Service address is dropped by where it goes.
    const filter = netns ? this.filters.get(netns) : undefined;
    const share = filter?.lossPercent !== undefined ? ` numgen random mod 100 < ${filter.lossPercent}` : '';
    const dropTo = filter?.dropTo.length ? [`    ip daddr { ${filter.dropTo.join(', ')} }${share} drop`] : [];
    const dropFrom = filter?.dropFrom.length ? [`    ip saddr { ${filter.dropFrom.join(', ')} }${share} drop`] : [];
    const ruleset = [
      `table ip ${this.table}`,
      `delete table ip ${this.table}`,
      `table ip ${this.table} {`,
      '  chain services {',
      '    type nat hook output priority -100; policy accept;',
      ...nat,
      '  }',
      '  chain closed {',
      '    type filter hook output priority 0; policy accept;',
      ...closed,
      ...dropTo,
      '  }',
      '  chain faults_in {',
      '    type filter hook input priority 0; policy accept;',
      ...dropFrom,
      '  }',
      '}',
      '',
    ].join('\n');
    const command = netns ? ['ip', ['netns', 'exec', netns, 'nft', '-f', '-']] as const : ['nft', ['-f', '-']] as const;
    await new Promise<void>((resolve, reject) => {
      const child = execFile(command[0], [...command[1]], (error) => (error && (netns === undefined || this.pods.has(netns)) ? reject(error) : resolve()));
      child.stdin!.end(ruleset);
    });
  }
}

async function ip(...args: string[]): Promise<void> {
  await run('ip', args);
}

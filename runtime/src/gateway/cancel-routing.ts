/**
 * Where a CancelRequest goes when the gateway that received it does not hold the session.
 * A zone's gateway may run as several processes behind one address (a Deployment's
 * replicas); they share the zone's index in the cancel key, so the key names the zone, not
 * the process. Every gateway process registers its own address in the topology (under a
 * lease), and a cancel is forwarded to every registered process of the key's zone — the
 * secret key makes only the one holding the session act. A cancel forwarded by another
 * gateway is never forwarded again, so two siblings cannot pass one back and forth.
 */
import type { Logger } from 'pino';
import type { GatewayReplica } from '../topo/records';
import type { TopoStore } from '../topo/topo-store';

export interface CancelTarget {
  readonly host: string;
  readonly port: number;
}

export interface CancelRouting {
  /** This process, as registered. */
  readonly self: GatewayReplica;
  /** This gateway's index in the cancel keys. */
  readonly index: number;
  /** The zones' gateways by index, as the layout has them (their shared address). */
  readonly zones: readonly (CancelTarget & { readonly zone: string })[];
}

/** The addresses to forward a cancel for a session of gateway `owner` to; none to drop it. */
export function cancelTargets(routing: CancelRouting, owner: number, from: string | undefined, registered: readonly GatewayReplica[]): CancelTarget[] {
  const zone = routing.zones[owner];
  if (!zone) return [];
  const others = registered.filter((replica) => !(replica.address === routing.self.address && replica.port === routing.self.port));
  const forwardedByPeer = from !== undefined && others.some((replica) => replica.address === unmapped(from));
  const ownerProcesses = others.filter((replica) => replica.zone === zone.zone).map(({ address, port }) => ({ host: address, port }));
  if (owner === routing.index) return forwardedByPeer ? [] : ownerProcesses;
  return ownerProcesses.length > 0 ? ownerProcesses : [{ host: zone.host, port: zone.port }];
}

/** `::ffff:10.0.0.1` (an IPv4 client on a dual-stack socket) is `10.0.0.1`. */
function unmapped(address: string): string {
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

const REFRESH_MS = 5_000;

/**
 * This process's registration and the list of all gateway processes, refreshed every few
 * seconds; the gateway starts and serves without etcd, registering once it answers.
 */
export class GatewayProcesses {
  private registered: readonly GatewayReplica[] = [];
  private registration: { close(): Promise<void> } | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly topo: TopoStore,
    readonly self: GatewayReplica,
    private readonly log: Logger,
  ) {}

  start(): void {
    void this.topo.registerGatewayReplica(this.self).then(
      (registration) => (this.closed ? void registration.close() : (this.registration = registration)),
      (error: Error) => this.log.warn({ err: error.message }, 'could not register this gateway process for cancel forwarding'),
    );
    const refresh = (): void => {
      void this.topo.listGatewayReplicas().then(
        (replicas) => (this.registered = replicas),
        () => undefined, // keep the last list while etcd does not answer
      );
    };
    refresh();
    this.timer = setInterval(refresh, REFRESH_MS);
  }

  list(): readonly GatewayReplica[] {
    return this.registered;
  }

  async stop(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    await this.registration?.close().catch(() => undefined);
  }
}

/**
 * Runs a supervised process in its zone's network namespace (layout.zoneNetworks): through
 * `ip netns exec`, which enters the namespace and then executes the command in place (the pid
 * the supervisor records stays the service's), and, when the service runs as the cluster's
 * unprivileged account, `setpriv` to become it after entering — entering a namespace needs
 * root, so the account cannot be taken at spawn as it is otherwise.
 */
import type { ClusterLayout, ZoneNetwork } from '../deployment/layout';
import type { ClusterSpec } from '../spec/schema';
import type { SpecChange } from '../spec/spec-changes';
import { InvalidRequestError } from '../util/domain-errors';
import type { ChildSpec } from './supervisor';

export function placedInZone(child: ChildSpec, network: ZoneNetwork | undefined): ChildSpec {
  if (!network) return child;
  const { user, ...rest } = child;
  const becomeUser = user ? ['setpriv', `--reuid=${user.uid}`, `--regid=${user.gid}`, '--init-groups', '--'] : [];
  return { ...rest, command: 'ip', args: ['netns', 'exec', network.netns, ...becomeUser, child.command, ...child.args] };
}

/**
 * Parses `--zone-network <zone>=<netns>@<address>` (repeated) and checks it against the spec:
 * every zone gets one, each namespace exists, and only root can enter them. A mistake is an
 * error that names the flag and the fix.
 */
export function zoneNetworksOf(flags: readonly string[], zones: readonly string[], netnsExists: (netns: string) => boolean): Record<string, ZoneNetwork> | undefined {
  if (flags.length === 0) return undefined;
  const networks: Record<string, ZoneNetwork> = {};
  for (const flag of flags) {
    const match = /^([^=]+)=([A-Za-z0-9_.-]+)@(\d{1,3}(?:\.\d{1,3}){3})$/.exec(flag);
    if (!match) throw new InvalidRequestError(`--zone-network ${flag}: write it as <zone>=<network namespace>@<IPv4 address>, e.g. zone-a=polygres-a@10.77.1.1`);
    const [, zone, netns, ip] = match as unknown as [string, string, string, string];
    if (!zones.includes(zone)) throw new InvalidRequestError(`--zone-network ${flag}: the spec has no zone "${zone}" (its zones: ${zones.join(', ')})`);
    if (networks[zone]) throw new InvalidRequestError(`--zone-network: zone "${zone}" is given twice`);
    if (!netnsExists(netns)) throw new InvalidRequestError(`--zone-network ${flag}: there is no network namespace "${netns}": create it first (ip netns add ${netns}, with an address the machine reaches)`);
    networks[zone] = { netns, ip };
  }
  const missing = zones.filter((zone) => !networks[zone]);
  if (missing.length > 0) throw new InvalidRequestError(`--zone-network: every zone needs one, and ${missing.join(', ')} has none`);
  if (process.getuid?.() !== 0) throw new InvalidRequestError('--zone-network: only root can run processes in network namespaces; run polygres up as root');
  return networks;
}

/**
 * What `apply` cannot do to a cluster with zone networks: a new zone would need a namespace
 * the cluster was not given (they are named when the cluster is created), so it is refused
 * with the plan, before anything changes.
 */
export function zoneNetworkRefusals(layout: Pick<ClusterLayout, 'zoneNetworks'>, next: Pick<ClusterSpec, 'zones'>): SpecChange[] {
  if (!layout.zoneNetworks) return [];
  const known = Object.keys(layout.zoneNetworks);
  const added = next.zones.map((zone) => zone.name).filter((zone) => !known.includes(zone));
  if (added.length === 0) return [];
  return [{
    path: 'zones',
    from: known,
    to: next.zones.map((zone) => zone.name),
    effect: 'refused',
    why: `this cluster runs each zone in a network namespace named at its creation (up --zone-network), and ${added.join(', ')} has none: create the cluster again with a --zone-network for every zone, or add the zone to a cluster without zone networks`,
  }];
}

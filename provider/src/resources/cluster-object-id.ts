/**
 * IDs of objects inside a cluster (`<state dir>:<name>`): what `terraform import` takes for
 * roles, databases and backups.
 */
import { ProviderError } from '../protocol/diagnostics';

export const objectId = (clusterId: string, name: string): string => `${clusterId}:${name}`;

export function parseObjectId(id: string, what: string): { clusterId: string; name: string } {
  const at = id.lastIndexOf(':');
  if (at <= 0 || at === id.length - 1) throw new ProviderError(`"${id}" is not an ID of a ${what}`, `use <cluster state directory>:<${what} name>, e.g. /var/lib/polygres/orders:app`, ['id']);
  return { clusterId: id.slice(0, at), name: id.slice(at + 1) };
}

/** What roles and databases share: a Postgres name checked at plan time, an ID, create-once. */
import type { Client } from 'pg';
import { type Diagnostic, ProviderError } from '../protocol/diagnostics';
import type { State } from '../schema/values';
import { objectId } from './cluster-object-id';

/** A Postgres identifier of 1 to 63 bytes, none of the ones Polygres keeps for itself. */
export function checkObjectName(config: State, reserved: ReadonlySet<string>, why: string, what: string): Diagnostic[] {
  const name = config.name;
  if (typeof name !== 'string') return [];
  if (reserved.has(name)) return [{ severity: 'error', summary: `name: "${name}" ${why}`, detail: `fix: choose another ${what} name`, attribute: ['name'] }];
  if (name.length === 0 || Buffer.byteLength(name) > 63) return [{ severity: 'error', summary: 'name: must be 1 to 63 bytes', detail: 'fix: use a shorter name', attribute: ['name'] }];
  return [];
}

/** The ID is known at plan time once the cluster and the name are. */
export function planObjectId(planned: State): Diagnostic[] {
  if (typeof planned.cluster_id === 'string' && typeof planned.name === 'string') planned.id = objectId(planned.cluster_id, planned.name);
  return [];
}

/** Runs `create` unless `existsQuery` finds the object: Terraform must not adopt an object silently. */
export async function createUnlessExists(client: Client, existsQuery: string, what: string, name: string, create: string): Promise<void> {
  const exists = await client.query(existsQuery, [name]);
  if (exists.rowCount) throw new ProviderError(`${what} "${name}" already exists`, 'fix: import it with terraform import, or choose another name', ['name']);
  await client.query(create);
}

/** polygres_database: a database of a cluster, with its owner. */
import { ProviderError } from '../protocol/diagnostics';
import { hasCluster, openCluster } from '../local/local-cluster';
import { withSuperuser } from '../local/sql';
import type { BlockSchema } from '../schema/types';
import { objectId, parseObjectId } from './cluster-object-id';
import { CLUSTER_ID, OBJECT_ID } from './cluster-attributes';
import type { ManagedResource } from './resource';
import { checkObjectName, createUnlessExists, planObjectId } from './sql-object';

const RESERVED = new Set(['postgres', 'template0', 'template1']);

export const databaseSchema: BlockSchema = {
  typeName: 'polygres_database',
  description: 'A database of a cluster and its owner. Destroying it drops the database, disconnecting its sessions.',
  version: 0,
  example: `resource "polygres_database" "app" {
  cluster_id = polygres_cluster.main.id
  name       = "app"
  owner      = polygres_role.app.name
}`,
  importId: '`<cluster state directory>:<database name>`',
  attributes: [
    OBJECT_ID('name'),
    CLUSTER_ID,
    { name: 'name', type: 'string', required: true, requiresReplace: true, description: 'Database name (not `postgres`, `template0` or `template1`).' },
    { name: 'owner', type: 'string', optional: true, computed: true, default: 'postgres', description: 'Owning role, e.g. a `polygres_role`\'s name; default the superuser `postgres`.' },
  ],
};

export const databaseResource: ManagedResource = {
  schema: databaseSchema,

  validate: (config) => checkObjectName(config, RESERVED, 'is a system database', 'database'),
  modifyPlan: ({ planned }) => planObjectId(planned),

  async create(planned) {
    const cluster = openCluster(String(planned.cluster_id), 'cluster_id');
    const owner = typeof planned.owner === 'string' ? planned.owner : 'postgres';
    const name = String(planned.name);
    await withSuperuser(cluster, (client) =>
      createUnlessExists(client, 'SELECT 1 FROM pg_database WHERE datname = $1', 'database', name, `CREATE DATABASE ${client.escapeIdentifier(name)} OWNER ${client.escapeIdentifier(owner)}`),
    );
    return { ...planned, owner, id: objectId(String(planned.cluster_id), String(planned.name)) };
  },

  async read(state) {
    if (!hasCluster(String(state.cluster_id))) return null;
    const cluster = openCluster(String(state.cluster_id), 'cluster_id');
    const row = await withSuperuser(cluster, async (client) => (await client.query<{ owner: string }>('SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = $1', [state.name])).rows[0]);
    return row ? { ...state, owner: row.owner } : null;
  },

  async update(_prior, planned) {
    const cluster = openCluster(String(planned.cluster_id), 'cluster_id');
    await withSuperuser(cluster, (client) => client.query(`ALTER DATABASE ${client.escapeIdentifier(String(planned.name))} OWNER TO ${client.escapeIdentifier(String(planned.owner))}`));
    return planned;
  },

  async delete(prior) {
    if (!hasCluster(String(prior.cluster_id))) return;
    const cluster = openCluster(String(prior.cluster_id), 'cluster_id');
    await withSuperuser(cluster, (client) => client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(String(prior.name))} WITH (FORCE)`));
  },

  async importState(id) {
    const { clusterId, name } = parseObjectId(id, 'database');
    const state = await databaseResource.read({ id, cluster_id: clusterId, name, owner: null });
    if (!state) throw new ProviderError(`no database "${name}" in the cluster at ${clusterId}`, undefined, ['id']);
    return state;
  },
};

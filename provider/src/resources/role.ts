/**
 * polygres_role: a Postgres role with a SCRAM-SHA-256 password. The provider computes the
 * verifier itself, so the password never reaches the server (or its logs) in clear text; a
 * password changed outside Terraform no longer matches the verifier and shows as drift.
 */
import { randomInt } from 'node:crypto';
import { ProviderError } from '../protocol/diagnostics';
import { hasCluster, openCluster } from '../local/local-cluster';
import { withSuperuser } from '../local/sql';
import { runtime } from '../runtime/runtime';
import type { BlockSchema } from '../schema/types';
import type { State } from '../schema/values';
import { objectId, parseObjectId } from './cluster-object-id';
import { CLUSTER_ID, OBJECT_ID } from './cluster-attributes';
import type { ManagedResource } from './resource';
import { checkObjectName, createUnlessExists, planObjectId } from './sql-object';

/** Roles Polygres itself relies on: managing them from Terraform would break the cluster. */
const RESERVED = new Set(['postgres', 'replicator']);

export const roleSchema: BlockSchema = {
  typeName: 'polygres_role',
  description:
    'A Postgres role (user) of a cluster, with a SCRAM-SHA-256 password: the provider computes the verifier, so the server never sees the password. Clients log in through the gateways with SCRAM. A password changed outside Terraform shows as drift.',
  version: 0,
  example: `resource "polygres_role" "app" {
  cluster_id = polygres_cluster.main.id
  name       = "app"
  password   = var.app_password
}`,
  importId: '`<cluster state directory>:<role name>`; the password cannot be read back, so the first apply after an import sets it again',
  attributes: [
    OBJECT_ID('name'),
    CLUSTER_ID,
    { name: 'name', type: 'string', required: true, requiresReplace: true, description: 'Role name (at most 63 bytes; not `postgres` or `replicator`, which Polygres manages).' },
    {
      name: 'password',
      type: 'string',
      optional: true,
      computed: true,
      sensitive: true,
      description: 'Password; stored in Postgres only as a SCRAM-SHA-256 verifier. Leave it out for a role without a password, or set `generate_password` to have one generated.',
    },
    {
      name: 'generate_password',
      type: 'bool',
      optional: true,
      requiresReplace: true,
      description: 'Generate a random password (32 letters and digits) when the role is created; it is kept in the state as `password` (sensitive; read it with an output). Conflicts with `password`.',
    },
    { name: 'login', type: 'bool', optional: true, computed: true, default: true, description: 'Whether the role may log in.' },
  ],
};

export const roleResource: ManagedResource = {
  schema: roleSchema,

  validate: (config) => {
    const diagnostics = checkObjectName(config, RESERVED, 'is managed by Polygres', 'role');
    if (config.generate_password === true && config.password !== null) {
      diagnostics.push({ severity: 'error', summary: 'generate_password conflicts with password', detail: 'fix: give a password, or set generate_password = true, not both', attribute: ['generate_password'] });
    }
    return diagnostics;
  },
  modifyPlan: ({ planned }) => planObjectId(planned),

  async create(proposed) {
    const planned: State = { ...proposed, password: initialPassword(proposed) };
    const cluster = openCluster(String(planned.cluster_id), 'cluster_id');
    const name = String(planned.name);
    await withSuperuser(cluster, (client) =>
      createUnlessExists(client, 'SELECT 1 FROM pg_roles WHERE rolname = $1', 'role', name, `CREATE ROLE ${client.escapeIdentifier(name)} ${roleOptions(planned, client.escapeLiteral.bind(client))}`),
    );
    return { ...planned, id: objectId(String(planned.cluster_id), String(planned.name)) };
  },

  async read(state) {
    if (!hasCluster(String(state.cluster_id))) return null;
    const cluster = openCluster(String(state.cluster_id), 'cluster_id');
    const row = await withSuperuser(cluster, async (client) => (await client.query<{ rolcanlogin: boolean; rolpassword: string | null }>('SELECT rolcanlogin, rolpassword FROM pg_authid WHERE rolname = $1', [state.name])).rows[0]);
    if (!row) return null;
    const password = typeof state.password === 'string' && passwordMatches(state.password, row.rolpassword) ? state.password : null;
    return { ...state, login: row.rolcanlogin, password };
  },

  async update(_prior, planned) {
    const cluster = openCluster(String(planned.cluster_id), 'cluster_id');
    await withSuperuser(cluster, (client) => client.query(`ALTER ROLE ${client.escapeIdentifier(String(planned.name))} ${roleOptions(planned, client.escapeLiteral.bind(client))}`));
    return planned;
  },

  async delete(prior) {
    if (!hasCluster(String(prior.cluster_id))) return;
    const cluster = openCluster(String(prior.cluster_id), 'cluster_id');
    await withSuperuser(cluster, (client) => client.query(`DROP ROLE IF EXISTS ${client.escapeIdentifier(String(prior.name))}`));
  },

  async importState(id) {
    const { clusterId, name } = parseObjectId(id, 'role');
    const state = await roleResource.read({ id, cluster_id: clusterId, name, password: null, generate_password: null, login: null });
    if (!state) throw new ProviderError(`no role "${name}" in the cluster at ${clusterId}`, undefined, ['id']);
    return state;
  },
};

/** The password a new role gets: the configured one, a generated one, or none. */
function initialPassword(planned: State): string | null {
  if (typeof planned.password === 'string') return planned.password;
  return planned.generate_password === true ? generatedPassword() : null;
}

/** Letters and digits only: it needs no quoting in JSON, a URL or psql. */
const PASSWORD_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function generatedPassword(length = 32): string {
  let password = '';
  for (let i = 0; i < length; i++) password += PASSWORD_ALPHABET[randomInt(PASSWORD_ALPHABET.length)];
  return password;
}

function roleOptions(state: State, literal: (text: string) => string): string {
  const { makeScramVerifier, formatScramVerifier } = runtime().scram;
  const password = typeof state.password === 'string' ? `PASSWORD ${literal(formatScramVerifier(makeScramVerifier(state.password)))}` : 'PASSWORD NULL';
  return `${state.login === false ? 'NOLOGIN' : 'LOGIN'} ${password}`;
}

/** Whether `password` produces the stored verifier (same salt and iterations). */
function passwordMatches(password: string, stored: string | null): boolean {
  const { parseScramVerifier, makeScramVerifier, formatScramVerifier } = runtime().scram;
  const verifier = parseScramVerifier(stored);
  return verifier !== undefined && formatScramVerifier(makeScramVerifier(password, verifier.iterations, verifier.salt)) === stored;
}

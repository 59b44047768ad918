/**
 * The environment a service or a Postgres tool is started with: the operator's, minus every
 * libpq (PGPASSWORD, PGHOST, PGUSER, PGSSLMODE...) and pgBackRest (PGBACKREST_*) variable.
 * Those are meant for the operator's own psql; inherited, they would override what the
 * services pass on purpose — PGPASSWORD, for one, takes precedence over the passfile
 * pg_basebackup is given, and a standby then cannot clone ("password authentication failed
 * for user replicator", seen here when `polygres up` ran in a shell that had exported the
 * password of another cluster).
 */
export function serviceEnvironment(extra: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!name.startsWith('PG')) env[name] = value;
  return { ...env, ...extra };
}

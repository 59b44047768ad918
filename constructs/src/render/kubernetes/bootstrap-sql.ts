/**
 * The SQL that creates the declared databases and roles, run by psql through the gateway.
 * Idempotent (re-run whenever the declaration changes); passwords arrive as psql variables
 * from Secrets, never in the script.
 */
import type { UserDeclaration } from '../../model/cluster-declaration';

const quote = (identifier: string) => `"${identifier}"`;
const literal = (text: string) => `'${text}'`;

/** psql variable holding the password of the user at `index`. */
export function passwordVariable(index: number): string {
  return `password_${index}`;
}

export function bootstrapSql(databases: readonly string[], users: readonly UserDeclaration[]): string {
  const lines: string[] = ['\\set ON_ERROR_STOP on'];
  for (const database of databases) {
    lines.push(`SELECT ${literal(`CREATE DATABASE ${quote(database)}`)} WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = ${literal(database)})\\gexec`);
  }
  users.forEach((user, index) => {
    lines.push(
      `SELECT ${literal(`CREATE ROLE ${quote(user.name)} LOGIN`)} WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = ${literal(user.name)})\\gexec`,
      `ALTER ROLE ${quote(user.name)} WITH LOGIN PASSWORD :'${passwordVariable(index)}';`,
    );
    for (const database of user.databases) lines.push(`GRANT ALL PRIVILEGES ON DATABASE ${quote(database)} TO ${quote(user.name)};`);
  });
  // Postgres 15 no longer lets every role create objects in public: grant it to the users of each database.
  for (const database of databases) {
    const owners = users.filter((user) => user.databases.includes(database));
    if (owners.length === 0) continue;
    lines.push(`\\connect ${quote(database)}`);
    for (const user of owners) lines.push(`GRANT ALL ON SCHEMA public TO ${quote(user.name)};`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * The statement that moves a server connection's settings to a session's: RESET what only the
 * connection has, SET what differs — under the identity each was made under.
 *
 * A session's settings are made as its login user unless it switched identity, and a switch
 * limits what can be set after it: `SET lo_compat_privileges` is for superusers only, and `SET
 * ROLE` is checked against the session authorization in force. So settings are replayed as
 * the login user, with no session authorization or role on the connection, and the session's
 * identity is put back last: session authorization first (which also undoes any role), then
 * the role. Whatever order the session made them in, this is an order Postgres accepts: a
 * setting the session holds was accepted when made, and only a superuser login can have
 * switched identity at all.
 */
const SESSION_AUTHORIZATION = 'session_authorization';
const ROLE = 'role';
const IDENTITY = new Set([SESSION_AUTHORIZATION, ROLE]);

/** Empty when nothing needs doing. */
export function settingsReplay(from: ReadonlyMap<string, string>, to: ReadonlyMap<string, string>): string {
  const statements: string[] = [];
  for (const name of from.keys()) if (!IDENTITY.has(name) && !to.has(name)) statements.push(resetStatement(name));
  for (const [name, statement] of to) if (!IDENTITY.has(name) && from.get(name) !== statement) statements.push(statement);
  const identityDiffers = from.get(SESSION_AUTHORIZATION) !== to.get(SESSION_AUTHORIZATION) || from.get(ROLE) !== to.get(ROLE);
  if (statements.length === 0 && !identityDiffers) return '';
  const switched = from.has(SESSION_AUTHORIZATION) || from.has(ROLE);
  if (!switched && !identityDiffers) return statements.join('; ');
  // Back to the login user first when the connection runs as someone else.
  const identity = switched ? ['RESET SESSION AUTHORIZATION', 'RESET ROLE'] : [];
  const authorization = to.get(SESSION_AUTHORIZATION);
  const role = to.get(ROLE);
  return [...identity, ...statements, ...(authorization ? [authorization] : []), ...(role ? [role] : [])].join('; ');
}

export function resetStatement(name: string): string {
  if (name === 'session characteristics') return 'RESET default_transaction_isolation; RESET default_transaction_read_only; RESET default_transaction_deferrable';
  return `RESET ${quoteIdentifier(name)}`;
}

/** Setting names may be qualified (`app.user`): quote each part. */
function quoteIdentifier(name: string): string {
  return name.split('.').map((part) => `"${part.replaceAll('"', '""')}"`).join('.');
}

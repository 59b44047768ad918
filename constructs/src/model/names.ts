/**
 * Name rules the runtime's ClusterSpec schema enforces (lower-case DNS labels of at most 40
 * characters), checked here so a bad name fails at synth with the prop that holds it.
 */
const DNS_LABEL = /^[a-z]([a-z0-9-]*[a-z0-9])?$/;
export const MAX_NAME_LENGTH = 40;

/** Why `name` is not a valid cluster, zone or instance name, or undefined when it is. */
export function dnsLabelProblem(name: string): string | undefined {
  if (name.length === 0) return 'is empty';
  if (name.length > MAX_NAME_LENGTH) return `is ${name.length} characters long (at most ${MAX_NAME_LENGTH})`;
  if (!DNS_LABEL.test(name)) return 'must be lower-case letters, digits and dashes, start with a letter and not end with a dash';
  return undefined;
}

/** Postgres role and database names the constructs create: plain lower-case identifiers. */
const SQL_IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

export function sqlIdentifierProblem(name: string): string | undefined {
  if (!SQL_IDENTIFIER.test(name)) return 'must be 1 to 63 lower-case letters, digits and underscores, not starting with a digit';
  return undefined;
}

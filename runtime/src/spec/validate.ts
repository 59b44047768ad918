import type { z } from 'zod';
import { policyFor } from '../consensus/registry';
import type { PolicyFinding } from '../consensus/policy';
import { parametersProblems } from '../postgres/parameters/check-parameter';
import { POSTGRES_15_PARAMETERS } from '../postgres/parameters/postgres-15-parameters';
import { PROTECTED_PARAMETERS } from './protected-parameters';
import { type ClusterSpec, clusterSpecSchema, s3KeyType } from './schema';
import { SpecError, type SpecProblem, formatPath } from './spec-error';

export interface ValidatedSpec {
  readonly spec: ClusterSpec;
  /** Non-blocking findings, such as a development-only durability policy. */
  readonly warnings: readonly SpecProblem[];
}

/**
 * Validates a ClusterSpec from any entry point (file, provider, constructs). Throws a
 * SpecError naming every problem's field and fix; returns the spec with defaults applied.
 */
export function validateSpec(input: unknown, source?: string): ValidatedSpec {
  const parsed = clusterSpecSchema.safeParse(input);
  if (!parsed.success) throw new SpecError(parsed.error.issues.map(problemFromZod), source);
  const problems: SpecProblem[] = [];
  const warnings: SpecProblem[] = [];
  checkNames(parsed.data, problems);
  checkParameters(parsed.data, problems);
  checkGateway(parsed.data, problems);
  checkBackupCredentials(parsed.data, problems);
  if (problems.length === 0) checkDurability(parsed.data, problems, warnings);
  if (problems.length > 0) throw new SpecError(problems, source);
  return { spec: parsed.data, warnings };
}

function checkNames(spec: ClusterSpec, problems: SpecProblem[]): void {
  const zoneNames = spec.zones.map((zone) => zone.name);
  reportDuplicates(zoneNames, 'zones', 'zone', problems);
  reportDuplicates(spec.instances.map((instance) => instance.name), 'instances', 'instance', problems);
  const declared = new Set(zoneNames);
  spec.instances.forEach((instance, index) => {
    if (!declared.has(instance.zone)) {
      problems.push({
        path: `instances[${index}].zone`,
        message: `zone "${instance.zone}" is not declared in zones[]`,
        fix: `use one of ${zoneNames.map((name) => `"${name}"`).join(', ')}, or add a zone named "${instance.zone}"`,
      });
    }
  });
  spec.zones.forEach((zone, index) => {
    if (!spec.instances.some((instance) => instance.zone === zone.name)) {
      problems.push({
        path: `zones[${index}]`,
        message: `zone "${zone.name}" has no instances`,
        fix: `add an instance with zone "${zone.name}", or remove the zone`,
      });
    }
  });
}

function reportDuplicates(names: readonly string[], field: string, what: string, problems: SpecProblem[]): void {
  const seen = new Set<string>();
  names.forEach((name, index) => {
    if (seen.has(name)) {
      problems.push({
        path: `${field}[${index}].name`,
        message: `${what} name "${name}" is used twice`,
        fix: `give every ${what} a unique name`,
      });
    }
    seen.add(name);
  });
}

/**
 * Names and values as Postgres 15 reads them (a table generated from the real server), and
 * none of the settings Polygres owns.
 */
function checkParameters(spec: ClusterSpec, problems: SpecProblem[]): void {
  const rest: Record<string, string | number | boolean> = {};
  for (const [name, value] of Object.entries(spec.postgres.parameters)) {
    const reason = PROTECTED_PARAMETERS.get(name.toLowerCase());
    if (reason) problems.push({ path: `postgres.parameters.${name}`, message: `"${name}" is managed by Polygres: ${reason}`, fix: `remove "${name}" from postgres.parameters` });
    else rest[name] = value;
  }
  for (const { name, message, fix } of parametersProblems(POSTGRES_15_PARAMETERS, rest)) problems.push({ path: `postgres.parameters.${name}`, message, fix });
}

function checkGateway(spec: ClusterSpec, problems: SpecProblem[]): void {
  if (spec.gateway.tls.required && spec.gateway.tls.mode === 'disabled') {
    problems.push({
      path: 'gateway.tls.required',
      message: 'TLS is required of clients, but the gateway has no TLS (mode "disabled")',
      fix: 'set gateway.tls.mode to "generate" or "files", or required to false',
    });
  }
}

/**
 * An S3 repository signs with the access key its secret holds ("shared") or with the identity
 * of the machine or pod ("auto", "web-id"); naming a secret with the latter would be ignored
 * silently, and "shared" without one cannot sign at all.
 */
function checkBackupCredentials(spec: ClusterSpec, problems: SpecProblem[]): void {
  spec.backup?.repositories.forEach((repository, index) => {
    if (repository.type !== 's3') return;
    const path = `backup.repositories[${index}]`;
    const keyType = s3KeyType(repository);
    if (keyType === 'shared' && !repository.credentialsSecret) {
      problems.push({
        path: `${path}.credentialsSecret`,
        message: 'keyType "shared" signs with an access key, and no credentialsSecret names one',
        fix: 'name the secret holding "key" and "keySecret", or set keyType to "web-id" (a pod\'s role, e.g. IRSA) or "auto" (an instance profile)',
      });
    }
    if (keyType !== 'shared' && repository.credentialsSecret) {
      problems.push({
        path: `${path}.credentialsSecret`,
        message: `keyType "${keyType}" takes credentials from the ${keyType === 'web-id' ? 'pod\'s web identity' : 'instance metadata service'}, so secret "${repository.credentialsSecret}" would never be read`,
        fix: 'remove credentialsSecret, or set keyType to "shared"',
      });
    }
  });
}

function checkDurability(spec: ClusterSpec, problems: SpecProblem[], warnings: SpecProblem[]): void {
  const policy = policyFor(spec.durability);
  const findings: PolicyFinding[] = policy.check(spec.instances);
  for (const finding of findings) {
    const problem = { path: 'durability', message: finding.message, fix: finding.fix };
    (finding.severity === 'error' ? problems : warnings).push(problem);
  }
}

function problemFromZod(issue: z.core.$ZodIssue): SpecProblem {
  const path = formatPath(issue.path);
  return { path, message: issue.message, fix: fixFor(issue) };
}

/** A concrete next step for each kind of shape error, so no message leaves the user guessing. */
function fixFor(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'unrecognized_keys':
      return `remove ${issue.keys.map((key) => `"${key}"`).join(', ')} or check the spelling against the JSON Schema`;
    case 'invalid_type':
      return `give a value of type ${issue.expected}`;
    case 'invalid_value':
      return `use one of ${issue.values.map((value) => JSON.stringify(value)).join(', ')}`;
    case 'invalid_union':
      return 'set "policy" to one of "atLeast", "multiZone", "surviveZoneFailure", "none" with its fields';
    case 'too_small':
      return `use a value of at least ${String(issue.minimum)}`;
    case 'too_big':
      return `use a value of at most ${String(issue.maximum)}`;
    case 'invalid_format':
      return 'use lower-case letters, digits and dashes, starting with a letter';
    case 'custom': {
      const fix = (issue.params as { fix?: unknown } | undefined)?.fix;
      return typeof fix === 'string' ? fix : 'correct the value as the message says';
    }
    default:
      return 'correct the value as the message says';
  }
}

import { InvalidArgumentError } from 'commander';
import type { DurabilityPolicySpec } from '../consensus/policy';

/** `atLeast:2`, `multiZone:2`, `surviveZoneFailure`, `none` (also with parentheses: `atLeast(2)`). */
export function parsePolicyArgument(text: string): DurabilityPolicySpec {
  const normalized = text.trim().replace(/\((\d*)\)$/, ':$1').replace(/:$/, '');
  const [name, n] = normalized.split(':');
  const count = Number(n);
  if ((name === 'atLeast' || name === 'multiZone') && Number.isInteger(count)) return { policy: name, n: count };
  if (name === 'surviveZoneFailure' && n === undefined) return { policy: 'surviveZoneFailure' };
  if (name === 'none' && n === undefined) return { policy: 'none' };
  throw new InvalidArgumentError(`"${text}" is not a policy; use atLeast:N, multiZone:N, surviveZoneFailure or none`);
}

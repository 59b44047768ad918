import { Password } from '@cdktf/provider-random/lib/password';
import type { Construct } from 'constructs';
import { ensureRandomProvider } from './providers';

/**
 * A password Terraform generates at apply time (random_password): the synthesized JSON holds
 * only a reference. Letters and digits only, so it needs no quoting in JSON, a URL or psql.
 */
export function generatedPassword(scope: Construct, id: string, length = 32): Password {
  ensureRandomProvider(scope);
  return new Password(scope, id, { length, special: false });
}

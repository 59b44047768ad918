/**
 * The provider's own configuration: only what a cluster this machine did not start needs
 * (its admin token). Terraform sends it in ConfigureProvider before any other call that acts.
 */
import type { BlockSchema } from '../schema/types';
import type { State } from '../schema/values';

export const providerSchema: BlockSchema = {
  typeName: 'polygres',
  description: 'Polygres: PostgreSQL with high availability.',
  version: 0,
  example: 'provider "polygres" {\n  admin_token = var.polygres_admin_token # only for clusters given by endpoint\n}',
  attributes: [
    {
      name: 'admin_token',
      type: 'string',
      optional: true,
      sensitive: true,
      description: 'Bearer token of the orchestrators\' admin API, for clusters given by `endpoint`. Local clusters need none: their token is in their state directory.',
    },
  ],
};

export interface ProviderSettings {
  adminToken: string | undefined;
}

export const providerSettings: ProviderSettings = { adminToken: undefined };

export function configureProvider(config: State | null): void {
  providerSettings.adminToken = typeof config?.admin_token === 'string' ? config.admin_token : process.env.POLYGRES_ADMIN_TOKEN;
}

import type { ClusterLayout, GatewayLayout } from '../deployment/layout';
import { SUPERUSER } from '../deployment/secrets';

/** The libpq URL of a gateway, ready to paste into psql; without a password, psql asks for it (or reads PGPASSWORD). */
export function connectionUrl(gateway: GatewayLayout, password: string | undefined, database = 'postgres'): string {
  const credentials = password === undefined ? SUPERUSER : `${SUPERUSER}:${encodeURIComponent(password)}`;
  return `postgresql://${credentials}@${gateway.host}:${gateway.port}/${database}`;
}

export function firstGateway(layout: ClusterLayout): GatewayLayout {
  const gateway = layout.gateways[0];
  if (!gateway) throw new Error(`cluster ${layout.cluster} has no gateway`);
  return gateway;
}

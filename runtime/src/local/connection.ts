import type { ClusterLayout, GatewayLayout } from '../deployment/layout';
import { SUPERUSER } from '../deployment/secrets';

/** The libpq URL of a gateway, ready to paste into psql. */
export function connectionUrl(gateway: GatewayLayout, password: string, database = 'postgres'): string {
  return `postgresql://${SUPERUSER}:${encodeURIComponent(password)}@${gateway.host}:${gateway.port}/${database}`;
}

export function firstGateway(layout: ClusterLayout): GatewayLayout {
  const gateway = layout.gateways[0];
  if (!gateway) throw new Error(`cluster ${layout.cluster} has no gateway`);
  return gateway;
}

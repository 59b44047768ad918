/**
 * What maintenance commands ask of one instance's pooler (its admin API), and waiting until
 * the instance serves again in the role it should.
 */
import { callAdmin } from '../admin/http-client';
import type { ClusterLayout, InstanceLayout } from '../deployment/layout';
import { findInstance } from '../deployment/layout';
import { readSecrets } from '../deployment/secrets';
import { fetchInstanceStatus } from '../orchestrator/cluster-status';
import { waitFor } from '../util/net';

/** Long enough for a restart that replays WAL, or a standby rebuilt from a large backup. */
const LONG_OPERATION_MS = 6 * 3_600_000;

export function askInstance<T>(layout: ClusterLayout, name: string, path: string): Promise<T> {
  const instance: InstanceLayout = findInstance(layout, name);
  return callAdmin<T>({ host: instance.host, port: instance.adminPort, token: readSecrets(layout.secretsFile).adminToken, method: 'POST', path, timeoutMs: LONG_OPERATION_MS });
}

/**
 * Until the instance is healthy as `role`, by a health check finished after `since` (one from
 * before a restart still says healthy); a standby also streams from its primary again.
 */
export async function waitUntilServing(layout: ClusterLayout, name: string, role: 'primary' | 'replica', since = Date.now(), timeoutMs = 600_000): Promise<void> {
  const token = readSecrets(layout.secretsFile).adminToken;
  await waitFor(`${name} serving as ${role}`, async () => {
    const status = await fetchInstanceStatus(layout, token, name);
    if (!status?.healthy || status.role !== role || status.phase !== 'running' || Date.parse(status.checkedAt) <= since) return undefined;
    return role === 'primary' || status.walReceiver === 'streaming' ? true : undefined;
  }, { timeoutMs, intervalMs: 250 });
}

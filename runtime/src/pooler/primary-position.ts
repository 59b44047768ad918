/**
 * The primary's WAL position as its own pooler reports it, for `/replica?lag=`: a load balancer
 * probes every few seconds, so one answer serves all probes for half a second.
 */
import { callAdmin } from '../admin/http-client';
import type { ClusterLayout } from '../deployment/layout';
import type { InstanceStatus } from '../postgres/instance-status';

const REUSE_MS = 500;

export function primaryPosition(layout: ClusterLayout, token: string): (primary: string) => Promise<string | null> {
  let last: { primary: string; at: number; lsn: Promise<string | null> } | undefined;
  return (primary) => {
    if (last && last.primary === primary && Date.now() - last.at < REUSE_MS) return last.lsn;
    const instance = layout.instances.find((candidate) => candidate.name === primary);
    const lsn = instance
      ? callAdmin<InstanceStatus>({ host: instance.host, port: instance.adminPort, token, path: '/v1/status', timeoutMs: 1_000 }).then(
          (status) => (status.role === 'primary' && status.healthy ? status.lsn : null),
          () => null,
        )
      : Promise.resolve(null);
    last = { primary, at: Date.now(), lsn };
    return lsn;
  };
}

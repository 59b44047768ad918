/**
 * Where a gateway reads a role's password verifier: from a pooler (they hold the only way
 * into Postgres), the one in its own zone first — standbys have pg_authid too — then any.
 */
import { callAdmin } from '../admin/http-client';
import { sqlStateError } from '../protocol/protocol-error';
import type { InstanceRecord } from '../topo/records';

export function verifierFromPoolers(records: () => Promise<InstanceRecord[]>, zone: string, token: string): (user: string) => Promise<string | null | undefined> {
  return async (user) => {
    const all = await records();
    const ordered = [...all.filter((record) => record.zone === zone), ...all.filter((record) => record.zone !== zone)];
    let lastError: unknown;
    for (const record of ordered) {
      try {
        const reply = await callAdmin<{ stored: string | null }>({ host: record.host, port: record.adminPort, token, method: 'POST', path: '/v1/verifier', body: { user }, timeoutMs: 2_000 });
        return reply.stored;
      } catch (error) {
        lastError = error;
      }
    }
    throw sqlStateError('08006', `cannot check the password now: no pooler answered (${(lastError as Error | undefined)?.message ?? 'none known'})`);
  };
}

import { existsSync } from 'node:fs';
import type { InstanceRecord } from '../topo/records';

/** An instance's pooler, as a gateway reaches it. */
export interface Endpoint {
  readonly instance: string;
  readonly host: string;
  readonly port: number;
  /** Set when the pooler is on this host: connect here instead of host:port. */
  readonly socket?: string;
}

/**
 * Where a gateway reaches an instance's pooler: its Unix socket when that socket is on this
 * machine (the local target: cheaper than TCP), its TCP port otherwise (separate hosts or pods,
 * where the registered path means nothing here).
 */
export function poolerEndpoint(record: InstanceRecord): Endpoint {
  const socket = record.poolerSocket && existsSync(record.poolerSocket) ? record.poolerSocket : undefined;
  return { instance: record.name, host: record.host, port: record.poolerPort, ...(socket ? { socket } : {}) };
}

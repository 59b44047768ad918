import { existsSync } from 'node:fs';
import type { InstanceRecord } from '../topo/records';
import type { Endpoint } from './primary-tracker';

/**
 * Where a gateway reaches an instance's pooler: its Unix socket when that socket is on this
 * machine (the local target: cheaper than TCP), its TCP port otherwise (separate hosts or pods,
 * where the registered path means nothing here).
 */
export function poolerEndpoint(record: InstanceRecord): Endpoint {
  const socket = record.poolerSocket && existsSync(record.poolerSocket) ? record.poolerSocket : undefined;
  return { instance: record.name, host: record.host, port: record.poolerPort, ...(socket ? { socket } : {}) };
}

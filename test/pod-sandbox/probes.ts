/**
 * Startup, liveness and readiness probes run as the kubelet runs them: from the node (the
 * root network namespace) to the pod's address, with the probe's timeout, an HTTP status from
 * 200 to 399 or an accepted TCP connection counting as success, and the thresholds counting
 * consecutive results.
 */
import { connect } from 'node:net';
import type { Json } from './terraform-values';

export interface ProbeTiming {
  readonly initialDelayMs: number;
  readonly periodMs: number;
  readonly timeoutMs: number;
  readonly failureThreshold: number;
  readonly successThreshold: number;
}

export function probeTiming(probe: Json): ProbeTiming {
  return {
    initialDelayMs: Number(probe.initial_delay_seconds ?? 0) * 1000,
    periodMs: Number(probe.period_seconds ?? 10) * 1000,
    timeoutMs: Number(probe.timeout_seconds ?? 1) * 1000,
    failureThreshold: Number(probe.failure_threshold ?? 3),
    successThreshold: Number(probe.success_threshold ?? 1),
  };
}

/** One probe attempt; named ports are looked up in the container's ports. */
export async function probeOnce(probe: Json, container: Json, ip: string): Promise<boolean> {
  const timeoutMs = probeTiming(probe).timeoutMs;
  const http = first(probe.http_get);
  if (http) {
    try {
      const response = await fetch(`http://${ip}:${portOf(http.port, container)}${http.path ?? '/'}`, { signal: AbortSignal.timeout(timeoutMs) });
      await response.arrayBuffer();
      return response.status >= 200 && response.status < 400;
    } catch {
      return false;
    }
  }
  const tcp = first(probe.tcp_socket);
  if (tcp) return tcpOpen(ip, portOf(tcp.port, container), timeoutMs);
  throw new Error(`sandbox: unsupported probe ${JSON.stringify(probe)}`);
}

function first(block: Json): Json {
  return Array.isArray(block) ? block[0] : block;
}

function portOf(port: string | number, container: Json): number {
  if (/^\d+$/.test(String(port))) return Number(port);
  const named = (container.port ?? []).find((entry: Json) => entry.name === port);
  if (!named) throw new Error(`sandbox: no port named ${port}`);
  return Number(named.container_port);
}

function tcpOpen(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (open: boolean): void => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * Startup, liveness and readiness probes run as the kubelet runs them: from the node (the
 * root network namespace) to the pod's address, with the probe's timeout, an HTTP status from
 * 200 to 399 or an accepted TCP connection counting as success, and the thresholds counting
 * consecutive results. An HTTPS probe, like the kubelet's, does not verify the certificate.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
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
    const status = await httpStatus(String(http.scheme ?? 'HTTP').toUpperCase() === 'HTTPS', ip, portOf(http.port, container), http.path ?? '/', timeoutMs);
    return status >= 200 && status < 400;
  }
  const tcp = first(probe.tcp_socket);
  if (tcp) return tcpOpen(ip, portOf(tcp.port, container), timeoutMs);
  throw new Error(`sandbox: unsupported probe ${JSON.stringify(probe)}`);
}

/** The status of a GET, or 0 when none came (refused, timed out, a failed handshake). */
function httpStatus(secure: boolean, host: string, port: number, path: string, timeoutMs: number): Promise<number> {
  return new Promise((resolve) => {
    const request = (secure ? httpsRequest : httpRequest)({ host, port, path, agent: false, rejectUnauthorized: false, signal: AbortSignal.timeout(timeoutMs) }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
      response.on('error', () => resolve(0));
    });
    request.on('error', () => resolve(0));
    request.end();
  });
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

import type { Socket } from 'node:net';

/**
 * Joins two sockets both ways with back-pressure (pipe pauses the faster side) and tears
 * both down when either ends or fails, so a dead peer never leaves a half-open twin behind.
 */
export function pipeSockets(a: Socket, b: Socket): void {
  const close = () => {
    a.destroy();
    b.destroy();
  };
  a.setNoDelay(true);
  b.setNoDelay(true);
  a.on('error', close).on('close', close);
  b.on('error', close).on('close', close);
  a.pipe(b);
  b.pipe(a);
}

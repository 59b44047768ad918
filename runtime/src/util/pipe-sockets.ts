import type { Socket } from 'node:net';

/**
 * Joins two sockets both ways and tears both down when either ends or fails, so a dead peer
 * never leaves a half-open twin behind. Each chunk is written straight to the other side
 * (stream.pipe's machinery costs more per chunk than the write itself on this path); a side
 * whose peer cannot keep up is paused until the peer drains.
 */
export function pipeSockets(a: Socket, b: Socket): void {
  const close = () => {
    a.destroy();
    b.destroy();
  };
  a.setNoDelay(true);
  b.setNoDelay(true);
  forward(a, b);
  forward(b, a);
  a.on('error', close).on('close', close);
  b.on('error', close).on('close', close);
}

function forward(from: Socket, to: Socket): void {
  from.on('data', (chunk: Buffer) => {
    if (!to.write(chunk)) {
      from.pause();
      to.once('drain', () => from.resume());
    }
  });
}

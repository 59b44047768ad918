import type { Readable } from 'node:stream';

/** A line longer than this without a newline is written as it stands, so memory stays bounded. */
const MAX_PENDING_BYTES = 1024 * 1024;
const NEWLINE = Buffer.from('\n');

/**
 * Copies what a child writes on `stream` into `file` a whole line at a time: the text after
 * the last newline waits for the rest of its line. So a child's stdout and stderr, both sent
 * to one file, never interleave within a line, and the file can rotate between any two writes.
 * What is left without a newline when the stream ends is written with one.
 */
export function pipeLines(stream: Readable, file: { write(text: Uint8Array): void }): void {
  let pending: Buffer = Buffer.alloc(0);
  stream.on('data', (chunk: Buffer) => {
    const data = pending.length > 0 ? Buffer.concat([pending, chunk]) : chunk;
    const end = data.lastIndexOf(NEWLINE[0]!) + 1;
    if (end > 0) file.write(data.subarray(0, end));
    pending = data.subarray(end);
    if (pending.length > MAX_PENDING_BYTES) {
      file.write(Buffer.concat([pending, NEWLINE]));
      pending = Buffer.alloc(0);
    }
  });
  stream.on('end', () => {
    if (pending.length > 0) file.write(Buffer.concat([pending, NEWLINE]));
    pending = Buffer.alloc(0);
  });
}

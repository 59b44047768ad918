import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';

const CHUNK_BYTES = 64 * 1024;
const NEWLINE = 0x0a;

/**
 * Reads a log file a whole line at a time as it grows, like `tail -F`: through an open
 * descriptor, so a file renamed away by rotation is read to its end before the new one at its
 * name is read from its start — no line lost or read twice. A line still being written (no
 * newline yet) waits for the next call. A file that does not exist yet is read once it does.
 * Reading is lazy: a large file never has to fit in memory.
 */
export class LineCursor {
  private fd: number | undefined;
  private identity: string | undefined;
  private offset = 0;
  private partial: Buffer = Buffer.alloc(0);

  /** `from: 'end'` skips what the file holds now; a file that appears later is read whole. */
  constructor(readonly path: string, from: 'start' | 'end' = 'start') {
    // From the start, the file is opened by the first read: that is where a failure is reported.
    if (from === 'end' && this.open()) this.offset = fstatSync(this.fd!).size;
  }

  /** The complete lines written since the last call, oldest first. */
  *lines(): Generator<string> {
    if (this.fd === undefined && !this.open()) return;
    yield* this.drain();
    const now = identityOf(this.path);
    // Renamed away and not replaced yet (Postgres' collector reopens a moment later): the old file still grows.
    if (now === undefined) return;
    if (now !== this.identity) {
      // Whatever reached the old file before the new one appeared, then its unfinished last line.
      yield* this.drain();
      const rest = this.rest();
      if (rest !== undefined) yield rest;
      this.close();
      if (this.open()) yield* this.drain();
    } else if (fstatSync(this.fd!).size < this.offset) {
      // Truncated in place: start again from its beginning.
      this.offset = 0;
      this.partial = Buffer.alloc(0);
      yield* this.drain();
    }
  }

  /** The unfinished last line, taken: for a read that ends here (nothing more will be written to it). */
  rest(): string | undefined {
    const rest = this.partial.length > 0 ? decode(this.partial) : undefined;
    this.partial = Buffer.alloc(0);
    return rest;
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    this.identity = undefined;
  }

  /** False when the file does not exist (yet); any other failure (permissions) is thrown. */
  private open(): boolean {
    try {
      this.fd = openSync(this.path, 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw error;
    }
    const stat = fstatSync(this.fd);
    this.identity = `${stat.dev}:${stat.ino}`;
    this.offset = 0;
    return true;
  }

  /** Lines up to the end of the file. The unread rest is kept at every step, so a batch left half-read loses nothing. */
  private *drain(): Generator<string> {
    for (;;) {
      for (let end = this.partial.indexOf(NEWLINE); end !== -1; end = this.partial.indexOf(NEWLINE)) {
        const line = this.partial.subarray(0, end);
        this.partial = this.partial.subarray(end + 1);
        yield decode(line);
      }
      const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
      const read = readSync(this.fd!, chunk, 0, CHUNK_BYTES, this.offset);
      if (read === 0) return;
      this.offset += read;
      this.partial = this.partial.length > 0 ? Buffer.concat([this.partial, chunk.subarray(0, read)]) : chunk.subarray(0, read);
    }
  }
}

function identityOf(path: string): string | undefined {
  const stat = statSync(path, { throwIfNoEntry: false });
  return stat ? `${stat.dev}:${stat.ino}` : undefined;
}

function decode(line: Buffer): string {
  const text = line.toString('utf8');
  return text.endsWith('\r') ? text.slice(0, -1) : text;
}

/**
 * Lines to a stream (stdout) in batches: it waits while the reader is slower (a pager) instead
 * of holding a whole backlog in memory, and notices when the reader has gone (`| head`), so
 * that the command can stop instead of failing on a closed pipe.
 */
export class LineOutput {
  private batch: string[] = [];
  private bytes = 0;
  private closed = false;
  private readonly closeListeners: (() => void)[] = [];

  constructor(private readonly stream: NodeJS.WritableStream, private readonly batchBytes = 64 * 1024) {
    stream.on('error', () => this.close());
  }

  /** Queues a line, writing the batch once it is full; false once the reader has gone. */
  async line(text: string): Promise<boolean> {
    this.push(text);
    if (this.bytes >= this.batchBytes) await this.flush();
    return !this.closed;
  }

  /** Queues a line without waiting (a follow round flushes at its end). */
  push(text: string): void {
    this.batch.push(text);
    this.bytes += text.length + 1;
  }

  async flush(): Promise<void> {
    if (this.closed || this.batch.length === 0) return;
    const chunk = `${this.batch.join('\n')}\n`;
    this.batch = [];
    this.bytes = 0;
    if (this.stream.write(chunk)) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        this.stream.removeListener('drain', done);
        this.stream.removeListener('error', done);
        resolve();
      };
      this.stream.once('drain', done);
      this.stream.once('error', done);
    });
  }

  /** Calls `listener` when the reader goes away. */
  onClose(listener: () => void): void {
    if (this.closed) listener();
    else this.closeListeners.push(listener);
  }

  private close(): void {
    this.closed = true;
    for (const listener of this.closeListeners.splice(0)) listener();
  }
}

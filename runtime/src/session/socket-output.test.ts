import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { ByteChannel } from '../link/byte-channel';
import { SocketOutput } from './socket-output';

/** A channel that records each write the output makes, and whether it was corked then. */
class RecordingChannel extends EventEmitter {
  readonly writes: { bytes: string; corked: boolean }[] = [];
  destroyed = false;
  writableLength = 0;
  private corks = 0;
  write(bytes: Uint8Array): boolean {
    this.writes.push({ bytes: Buffer.from(bytes).toString(), corked: this.corks > 0 });
    return true;
  }
  cork(): void {
    this.corks += 1;
  }
  uncork(): void {
    this.corks -= 1;
  }
  end(): void {}
  destroy(): void {}
  destroySoon(): void {}
  pause(): void {}
  resume(): void {}
  setNoDelay(): void {}
}

const nextTick = () => new Promise<void>((resolve) => process.nextTick(resolve));

function outputOn(): { channel: RecordingChannel; output: SocketOutput } {
  const channel = new RecordingChannel();
  return { channel, output: new SocketOutput(channel as unknown as ByteChannel, 'client') };
}

describe('SocketOutput', () => {
  it('sends ranges of one read that follow each other as one write, on the next tick', async () => {
    const { channel, output } = outputOn();
    const read = Buffer.from('xxTDCZyy');
    output.writeRange(read, 2, 3);
    output.writeRange(read, 3, 5);
    output.writeRange(read, 5, 6);
    expect(channel.writes).toEqual([]);
    await nextTick();
    expect(channel.writes).toEqual([{ bytes: 'TDCZ', corked: false }]);
  });

  it('keeps the order of ranges and writes that do not follow each other, in one corked batch', async () => {
    const { channel, output } = outputOn();
    const first = Buffer.from('ABCD');
    const second = Buffer.from('EFGH');
    output.writeRange(first, 0, 2);
    output.writeRange(second, 1, 3);
    output.write(Buffer.from('ij'));
    output.writeRange(first, 2, 4);
    await nextTick();
    expect(channel.writes.map((write) => write.bytes).join('')).toBe('ABFGijCD');
    expect(channel.writes.every((write) => write.corked)).toBe(true);
  });

  it('joins views of one buffer that follow each other, and a range behind them', async () => {
    const { channel, output } = outputOn();
    const read = Buffer.from('0123456789');
    output.write(read.subarray(0, 3));
    output.write(read.subarray(3, 5));
    output.writeRange(read, 5, 8);
    await nextTick();
    expect(channel.writes).toEqual([{ bytes: '01234567', corked: false }]);
  });

  it('counts a pending range as queued bytes, so a slow peer is seen', () => {
    const { output } = outputOn();
    const big = Buffer.alloc(2 * 1024 * 1024);
    expect(output.congested).toBe(false);
    output.writeRange(big, 0, big.length);
    expect(output.congested).toBe(true);
  });

  it('sends a pending range when the socket is ended', () => {
    const { channel, output } = outputOn();
    output.writeRange(Buffer.from('bye'), 0, 3);
    output.end();
    expect(channel.writes).toEqual([{ bytes: 'bye', corked: false }]);
  });
});

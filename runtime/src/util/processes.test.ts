import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { isAlive } from './processes';
import { sleep } from './net';

describe('isAlive', () => {
  it('counts a process that exited but was not reaped (a zombie) as dead, though kill(pid, 0) still reaches it', async () => {
    // The shell starts a short child, then becomes `sleep 5`, which never waits for it.
    const parent = spawn('sh', ['-c', 'sleep 0.1 & echo $!; exec sleep 5'], { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      const zombie = await new Promise<number>((resolve) => parent.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim()))));
      expect(isAlive(zombie)).toBe(true);
      await sleep(400);
      expect(() => process.kill(zombie, 0)).not.toThrow();
      expect(isAlive(zombie)).toBe(false);
      expect(isAlive(parent.pid!)).toBe(true);
    } finally {
      parent.kill('SIGKILL');
    }
  });
});

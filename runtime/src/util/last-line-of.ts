/**
 * Runs a program whose output may be far larger than anyone should hold (pg_waldump over a
 * gigabyte of WAL prints millions of lines) and keeps only its last line, as it streams, with
 * what it said on stderr. Resolves whatever the exit code: the caller reads the messages. One
 * that runs past `timeoutMs` (a disk that hangs) is killed, and the promise rejects.
 */
import { type SpawnOptions, spawn } from 'node:child_process';

/** Stderr beyond this is cut: it is read for a message, not kept. */
const STDERR_LIMIT = 64 * 1024;

export function lastLineOf(program: string, args: readonly string[], options: SpawnOptions = {}, timeoutMs = 30_000): Promise<{ lastLine: string | undefined; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${program} did not finish within ${timeoutMs} ms`));
    }, timeoutMs);
    let tail = '';
    let lastLine: string | undefined;
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      const lines = (tail + chunk).split('\n');
      tail = lines.pop()!;
      for (let i = lines.length - 1; i >= 0; i--) {
        if (lines[i]!.trim() !== '') {
          lastLine = lines[i];
          break;
        }
      }
    });
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      if (stderr.length < STDERR_LIMIT) stderr += chunk;
    });
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', () => {
      clearTimeout(timer);
      resolve({ lastLine: tail.trim() !== '' ? tail : lastLine, stderr });
    });
  });
}

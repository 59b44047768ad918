/** Runs the real `polygres` launcher (built runtime) as a subprocess, as a user would. */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';

export const POLYGRES = resolve(__dirname, '..', '..', 'runtime', 'bin', 'polygres');

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function polygres(args: string[], options: { cwd?: string; timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolvePromise) => {
    execFile(
      process.execPath,
      [POLYGRES, ...args],
      { cwd: options.cwd, timeout: options.timeoutMs ?? 240_000, maxBuffer: 16 * 1024 * 1024, env: { ...process.env, CHECKPOINT_DISABLE: '1' } },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolvePromise({ code, stdout, stderr });
      },
    );
  });
}

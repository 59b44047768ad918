/** Runs the runtime's `polygres` command, as a user would, and keeps its output for diagnostics. */
import { execFile } from 'node:child_process';
import { runtime } from '../runtime/runtime';

export interface CliResult {
  readonly code: number;
  readonly output: string;
}

export function runPolygres(args: readonly string[], timeoutMs = 600_000): Promise<CliResult> {
  const { POLYGRES_BIN } = runtime().local;
  return new Promise((resolve) => {
    execFile(process.execPath, [POLYGRES_BIN, ...args], { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, output: `${stdout}${stderr}`.trim() });
    });
  });
}

/** Runs `polygres ...` and throws with its output when it fails. */
export async function polygresOrThrow(what: string, args: readonly string[]): Promise<string> {
  const result = await runPolygres(args);
  if (result.code !== 0) throw new Error(`${what} failed (polygres ${args.join(' ')}):\n${lastLines(result.output, 40)}`);
  return result.output;
}

function lastLines(text: string, count: number): string {
  return text.split('\n').slice(-count).join('\n');
}

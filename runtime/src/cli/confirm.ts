/**
 * Commands that destroy data or move the primary ask first: on a terminal, a question; with
 * no terminal to ask on (a script, CI), `--yes` or nothing happens — so a pasted command or a
 * typo in a loop never purges a cluster.
 */
import { createInterface } from 'node:readline/promises';
import { UsageError } from './cli-errors';

export interface Confirmation {
  /** What will happen, as a sentence: "delete every database of cluster "local" in /x". */
  readonly consequence: string;
  /** --yes was given. */
  readonly yes: boolean;
}

/** Resolves when confirmed; throws UsageError (exit 2) when there is no one to ask, or the answer is no. */
export async function confirm({ consequence, yes }: Confirmation): Promise<void> {
  if (yes) return;
  if (!process.stdin.isTTY) throw new UsageError(`this would ${consequence}; pass --yes to confirm (there is no terminal to ask on)`);
  const terminal = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await terminal.question(`This will ${consequence}. Continue? [y/N] `);
    if (!/^y(es)?$/i.test(answer.trim())) throw new UsageError('cancelled; nothing was changed');
  } finally {
    terminal.close();
  }
}

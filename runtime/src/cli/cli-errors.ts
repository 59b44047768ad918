/**
 * How the `polygres` command ends: 0 it did what was asked, 1 it tried and failed, 2 it was
 * asked wrongly (a usage error, an invalid spec, a confirmation it could not get) and did
 * nothing. Scripts tell "fix the command" from "retry or investigate" by the code alone.
 */
import { CommanderError } from 'commander';
import { AdminCallError } from '../admin/http-client';
import { SpecError } from '../spec/spec-error';
import { InvalidRequestError } from '../util/domain-errors';

export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** The command was asked wrongly; nothing was changed. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** The state directory holds no cluster: the command has nothing to act on. */
export class NoClusterError extends Error {
  override readonly name = 'NoClusterError';
  constructor(readonly stateDir: string) {
    super(`no cluster in ${stateDir}; start one with \`polygres up\` (or pass --state-dir)`);
  }
}

export function exitCodeOf(error: unknown): number {
  // Commander's own (usage errors, and help and --version, which exit 0), already printed by it.
  if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : EXIT_USAGE;
  if (error instanceof UsageError || error instanceof SpecError || error instanceof InvalidRequestError) return EXIT_USAGE;
  // The orchestrator or a pooler refused the request as asked (400: a policy it cannot realise, an unknown instance).
  if (error instanceof AdminCallError && error.status === 400) return EXIT_USAGE;
  return EXIT_FAILURE;
}

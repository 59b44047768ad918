import type { Command } from 'commander';
import { UsageError } from './cli-errors';
import type { RestoreTarget } from '../backup/pgbackrest-runner';
import { restoreCluster } from '../local/restore';

interface RestoreFlags {
  fromStateDir: string;
  stateDir: string;
  name?: string;
  basePort?: number;
  targetTime?: string;
  targetLsn?: string;
  targetName?: string;
  detach?: boolean;
}

/** `polygres restore`: a new local cluster from another one's backups, at a point in time. */
export function addRestoreCommand(program: Command, out: (line: string) => void, port: (value: string) => number): void {
  program
    .command('restore')
    .description("bring up a new local cluster from another cluster's backups, at a point in time (the source keeps running)")
    .requiredOption('--from-state-dir <dir>', 'state directory of the cluster whose repository to restore from')
    .requiredOption('--state-dir <dir>', 'state directory of the new cluster (must be new or empty)')
    .option('--name <name>', 'name of the new cluster and of its stanza (default: <source>-restored)')
    .option('--base-port <port>', 'first port of the block the new cluster uses', port)
    .option('--target-time <timestamp>', 'restore up to this time (e.g. "2026-11-26 14:03:00+00")')
    .option('--target-lsn <lsn>', 'restore up to this WAL location (e.g. 0/3000060)')
    .option('--target-name <name>', 'restore up to this restore point (SELECT pg_create_restore_point(name))')
    .option('--detach', 'return once the cluster accepts writes, leaving it running in the background')
    .action(async (flags: RestoreFlags) => {
      await restoreCluster({
        fromStateDir: flags.fromStateDir,
        stateDir: flags.stateDir,
        ...(flags.name !== undefined ? { name: flags.name } : {}),
        ...(flags.basePort !== undefined ? { basePort: flags.basePort } : {}),
        target: restoreTarget(flags),
        detach: flags.detach ?? false,
        out,
      });
    });
}

/**
 * The form both Postgres and pgBackRest read (pgBackRest picks the backup by it, and falls back
 * to the latest backup on a form it cannot parse): date, time, and a numeric time zone.
 */
const TIMESTAMP = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?[+-]\d{2}(:?\d{2})?$/;

function restoreTarget(flags: RestoreFlags): RestoreTarget {
  const given = [flags.targetTime, flags.targetLsn, flags.targetName].filter((value) => value !== undefined);
  if (given.length > 1) throw new UsageError('give at most one of --target-time, --target-lsn, --target-name');
  if (flags.targetTime !== undefined) {
    if (!TIMESTAMP.test(flags.targetTime)) throw new UsageError(`--target-time "${flags.targetTime}" is not a timestamp with a time zone; use e.g. "2026-11-26 14:03:00+00"`);
    return { time: flags.targetTime };
  }
  if (flags.targetLsn !== undefined) {
    if (!/^[0-9A-Fa-f]{1,8}\/[0-9A-Fa-f]{1,8}$/.test(flags.targetLsn)) throw new UsageError(`--target-lsn "${flags.targetLsn}" is not an LSN; use e.g. 0/3000060`);
    return { lsn: flags.targetLsn };
  }
  if (flags.targetName !== undefined) return { name: flags.targetName };
  return { latest: true };
}

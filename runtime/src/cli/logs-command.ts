/**
 * `polygres logs`: a local cluster's logs — the supervisor, etcd, orchestrators, poolers, each
 * Postgres, gateways — merged into one stream in time order, one readable line (or one JSON
 * object) a record; with --follow, then what they write next.
 */
import { type Command, InvalidArgumentError } from 'commander';
import { readLayoutOfStateDir } from '../deployment/layout-file';
import { clusterLogSources } from '../local/log-sources';
import { followLogs } from '../logs/follow-logs';
import { formatLogJson, formatLogText } from '../logs/format-log-record';
import { type LogRecord, SERVICE_KINDS } from '../logs/log-record';
import { LogSourceReader } from '../logs/log-source-reader';
import { mergeByTime } from '../logs/merge-logs';
import { parseSince } from '../logs/parse-since';
import { selectSources } from '../logs/select-sources';
import { LineOutput } from './line-output';
import { clusterStateDir } from './resolve-state-dir';

interface LogsOptions {
  readonly stateDir?: string;
  readonly service?: string;
  readonly since?: number;
  readonly follow?: boolean;
  readonly json?: boolean;
}

export function addLogsCommand(program: Command): void {
  program
    .command('logs')
    .description("the cluster's logs (gateways, poolers, orchestrators, the supervisor, Postgres, etcd) merged in time order, one line each")
    .option('--state-dir <dir>', 'state directory of the cluster')
    .option('--service <names>', `only these (comma-separated): a kind (${SERVICE_KINDS.join(', ')}), a process (pooler-zone-a-0), a label (pooler/zone-a-0), an instance (its pooler and Postgres) or a zone`)
    .option('--since <when>', 'only lines from the last 30s, 10m, 2h, 1d, or from an ISO time (2026-12-01T21:00:00Z); reaches into rotated files', sinceOption)
    .option('--follow', 'then print new lines as they are written, until Ctrl-C')
    .option('--json', 'one JSON object a line: time, level, service, source, msg and the other fields')
    .action((options: LogsOptions) => printLogs(options));
}

async function printLogs(options: LogsOptions): Promise<void> {
  const stateDir = clusterStateDir(options.stateDir);
  const sourcesNow = () => selectSources(clusterLogSources(readLayoutOfStateDir(stateDir)), options.service);
  const sources = sourcesNow();
  const width = Math.max(...sources.map((source) => source.source.length));
  const format = options.json ? formatLogJson : (record: LogRecord) => formatLogText(record, width);
  const problem = (message: string) => void process.stderr.write(`polygres: ${message}\n`);
  const output = new LineOutput(process.stdout);
  const readers = sources.map((source) => new LogSourceReader(source, problem));
  try {
    for (const record of mergeByTime(readers.map((reader) => reader.backlog(options.since, !options.follow)))) {
      // The reader has gone (piped into head): nothing more to do.
      if (!(await output.line(format(record)))) return;
    }
    await output.flush();
    if (!options.follow) return;
    const following = followLogs({
      readers,
      sources: sourcesNow,
      onRecord: (record) => output.push(format(record)),
      onProblem: problem,
      afterRound: () => void output.flush(),
    });
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
      output.onClose(resolve);
    });
    following.stop();
    await output.flush();
  } finally {
    for (const reader of readers) reader.close();
  }
}

function sinceOption(value: string): number {
  try {
    return parseSince(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

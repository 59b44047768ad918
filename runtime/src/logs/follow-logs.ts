import type { LogRecord, LogSource } from './log-record';
import { LogSourceReader } from './log-source-reader';

export interface FollowLogsOptions {
  /** The readers the backlog was read with: each goes on from where its backlog ended. */
  readonly readers: readonly LogSourceReader[];
  /**
   * The sources as they are now: a cluster that `polygres apply` grew has new ones, which are
   * followed from their files' start. A failure (the layout being rewritten) waits for the next look.
   */
  readonly sources: () => readonly LogSource[];
  readonly onRecord: (record: LogRecord) => void;
  readonly onProblem: (message: string) => void;
  /** After every round, so that the caller can flush what it printed. */
  readonly afterRound?: () => void;
  readonly intervalMs?: number;
}

/** How many rounds between two looks for new sources. */
const DISCOVER_EVERY = 8;

/**
 * `--follow`: every round, the new lines of every file, in order per file; files interleave
 * by when their lines arrive (a merge by time would have to wait for the slowest writer).
 * Rotation is followed by each reader's cursor. Polls, since the writers are other processes.
 */
export function followLogs(options: FollowLogsOptions): { stop(): void } {
  const readers = new Map(options.readers.map((reader) => [reader.source.source, reader]));
  const discover = () => {
    let sources: readonly LogSource[];
    try {
      sources = options.sources();
    } catch {
      return;
    }
    for (const source of sources) if (!readers.has(source.source)) readers.set(source.source, new LogSourceReader(source, options.onProblem));
  };
  let round = 0;
  const timer = setInterval(() => {
    if (round++ % DISCOVER_EVERY === 0) discover();
    for (const reader of readers.values()) for (const record of reader.poll()) options.onRecord(record);
    options.afterRound?.();
  }, options.intervalMs ?? 250);
  return {
    stop() {
      clearInterval(timer);
      for (const reader of readers.values()) reader.close();
    },
  };
}

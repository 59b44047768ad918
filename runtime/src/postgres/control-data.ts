/** What pg_controldata says about a data directory, for a server that is not running or cannot answer. */
export interface ControlData {
  readonly state: string;
  readonly checkpointLsn: string | null;
  /** Where the latest checkpoint's redo starts: a record boundary from which the WAL can be read. */
  readonly redoLsn: string | null;
  readonly minRecoveryEndLsn: string | null;
  /** The latest checkpoint's timeline. */
  readonly timeline: number | null;
}

/** Reads pg_controldata's output (LC_ALL=C). */
export function parseControlData(output: string): ControlData {
  const field = (name: string) => {
    const line = output.split('\n').find((candidate) => candidate.startsWith(`${name}:`));
    return line ? line.slice(name.length + 1).trim() : null;
  };
  const timeline = field("Latest checkpoint's TimeLineID");
  const minRecovery = field('Minimum recovery ending location');
  return {
    state: field('Database cluster state') ?? 'unknown',
    checkpointLsn: field('Latest checkpoint location'),
    redoLsn: field("Latest checkpoint's REDO location"),
    minRecoveryEndLsn: minRecovery === '0/0' ? null : minRecovery,
    timeline: timeline === null ? null : Number(timeline),
  };
}

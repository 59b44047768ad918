/** How often `polygres backup` asks how far the backup is. */
const POLL_MS = 2_000;

/**
 * Prints a running backup's progress (`  12.5% copied`) each time it moves, until stopped.
 * A failed poll is skipped: progress is a courtesy, the backup's own result is what counts.
 */
export function reportBackupProgress(poll: () => Promise<{ percent: number | null }>, out: (line: string) => void): { stop: () => void } {
  let last: number | null = null;
  let stopped = false;
  const timer = setInterval(() => {
    poll()
      .then(({ percent }) => {
        if (stopped || percent === null || percent === last) return;
        last = percent;
        out(`  ${percent}% copied`);
      })
      .catch(() => undefined);
  }, POLL_MS);
  return {
    stop: () => {
      stopped = true;
      clearInterval(timer);
    },
  };
}

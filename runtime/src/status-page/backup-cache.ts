/**
 * The repository's backups for the status page. Reading them runs `pgbackrest info` on a
 * pooler (about half a second of work there), while the page asks for a view every second:
 * so the answer is kept, and read again at most every 30 s, or at once when the history
 * shows a backup concluded. The read runs in the background; a view never waits for it.
 */
import type { StanzaInfo } from '../backup/pgbackrest-runner';

export const BACKUP_REFRESH_MS = 30_000;

export interface BackupReading {
  readonly info: StanzaInfo | null;
  /** When the repository was last read successfully (ISO). */
  readonly checkedAt: string | null;
  readonly error: string | null;
}

export class BackupCache {
  private reading: BackupReading = { info: null, checkedAt: null, error: null };
  private readAt: number | undefined;
  private signal: string | null = null;
  private running: Promise<void> | undefined;

  /** `read`: the repository's info, asked of a pooler (the primary's first when there is one). */
  constructor(
    private readonly read: (primary: string | null) => Promise<StanzaInfo>,
    private readonly refreshMs = BACKUP_REFRESH_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * What was read last. `signal` is when the newest backup in the history concluded: when it
   * differs from the last one seen, the repository is read again without waiting 30 s.
   */
  current(signal: string | null, primary: string | null): BackupReading {
    const stale = this.readAt === undefined || this.now() - this.readAt >= this.refreshMs || signal !== this.signal;
    if (stale && !this.running) {
      this.signal = signal;
      this.readAt = this.now();
      this.running = this.refresh(primary).finally(() => {
        this.running = undefined;
      });
    }
    return this.reading;
  }

  /** Settles when the read under way (if any) has finished; for tests and shutdown. */
  async settled(): Promise<void> {
    await this.running;
  }

  private async refresh(primary: string | null): Promise<void> {
    try {
      const info = await this.read(primary);
      this.reading = { info, checkedAt: new Date(this.now()).toISOString(), error: null };
    } catch (error) {
      // Keep the last list: one failed read (a pooler restarting) does not empty the page.
      this.reading = { ...this.reading, error: (error as Error).message };
    }
  }
}

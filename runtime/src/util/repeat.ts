/**
 * A step run over and over, `intervalMs` after each one ends, until stopped: the shape of the
 * orchestrator's loops. A step that throws is reported and the next one runs.
 */
import { sleep } from './net';

export class Repeating {
  private running = false;

  constructor(
    private readonly step: () => Promise<void>,
    private readonly intervalMs: number,
    private readonly onError: (error: Error) => void,
  ) {}

  /** Resolves once stopped, after the step under way ends. */
  async run(): Promise<void> {
    this.running = true;
    while (this.running) {
      try {
        await this.step();
      } catch (error) {
        this.onError(error as Error);
      }
      await sleep(this.intervalMs);
    }
  }

  stop(): void {
    this.running = false;
  }
}

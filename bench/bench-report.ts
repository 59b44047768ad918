/** What every bench prints and keeps: the machine it ran on, and its report in bench/results/. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';

/** "2 × <cpu model>, <now>": numbers from different machines do not compare, so every report says which. */
export function machineAndTime(): string {
  return `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${new Date().toISOString()}`;
}

/** Prints `lines` and writes them to bench/results/<file>. */
export function publishReport(file: string, lines: readonly string[]): void {
  const report = lines.join('\n');
  process.stdout.write(report);
  mkdirSync(join(__dirname, 'results'), { recursive: true });
  writeFileSync(join(__dirname, 'results', file), report);
}

/**
 * The status page's pure formatting, written here in TypeScript so it is type-checked and
 * unit-tested, and inlined into the page's browser script with Function.prototype.toString.
 * So each function is self-contained: no imports, no module-level names, only its arguments
 * and the language's own globals.
 */
import { formatBytes } from '../util/format-bytes';

/** The lag bar's full width: a standby this far behind shows a full bar. */
export const LAG_SCALE_BYTES = 16 * 1024 * 1024;

/** How much of the lag bar a lag fills (0-100); a lag above zero always shows a sliver. */
export function lagPercent(bytes: number | null, scaleBytes: number): number {
  if (bytes === null || bytes <= 0) return 0;
  return Math.max(2, Math.min(100, Math.round((bytes / scaleBytes) * 100)));
}

/** How serious a lag looks: none, some (under a MiB), much (under the bar's scale), too much. */
export function lagLevel(bytes: number | null, scaleBytes: number): 'none' | 'low' | 'high' | 'over' {
  if (bytes === null || bytes <= 0) return 'none';
  if (bytes < 1024 * 1024) return 'low';
  return bytes < scaleBytes ? 'high' : 'over';
}

/** A timeline entry's title: `Failover`, `Full backup`, `Policy change`... */
export function timelineTitle(kind: string, action: string): string {
  if (kind === 'backup') {
    const type = action.split('-')[1];
    const named: Record<string, string> = { full: 'Full backup', diff: 'Differential backup', incr: 'Incremental backup' };
    return (type && named[type]) || 'Backup';
  }
  if (kind === 'policy') return action === 'set-members' ? 'Members change' : 'Policy change';
  const titles: Record<string, string> = { failover: 'Failover', switchover: 'Switchover', restore: 'Restore', rejoin: 'Rejoin' };
  return titles[kind] ?? action;
}

/** A span of time in words, coarsely: `45 s`, `12 min`, `3 h 5 min`, `2 d 4 h`. */
export function formatSpan(milliseconds: number): string {
  const seconds = Math.max(0, Math.round(milliseconds / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
  const days = Math.floor(hours / 24);
  return hours % 24 === 0 ? `${days} d` : `${days} d ${hours % 24} h`;
}

/** The functions above as browser script, each under its own name, with the lag scale. */
export function pageHelpersScript(): string {
  const functions = [formatBytes, lagPercent, lagLevel, timelineTitle, formatSpan];
  return [`const LAG_SCALE_BYTES = ${LAG_SCALE_BYTES};`, ...functions.map((fn) => fn.toString())].join('\n');
}

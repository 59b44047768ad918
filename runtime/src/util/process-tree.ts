import { readdirSync, readFileSync } from 'node:fs';

/**
 * The pids of `pid`'s descendants, read from /proc (Linux). Used to fence a Postgres whose
 * postmaster does not answer: backends and walsenders must die with it, or a frozen backend
 * could wake up later and finish what it was doing.
 */
export function descendantsOf(pid: number): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const parentOf = new Map<number, number>();
  for (const entry of entries) {
    const child = Number(entry);
    if (!Number.isInteger(child)) continue;
    try {
      // Field 4 of /proc/PID/stat is the parent pid; the command name (field 2) may hold spaces.
      const stat = readFileSync(`/proc/${child}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parentOf.set(child, Number(fields[1]));
    } catch {
      // The process exited while we looked.
    }
  }
  const result: number[] = [];
  const frontier = [pid];
  while (frontier.length > 0) {
    const parent = frontier.pop()!;
    for (const [child, ppid] of parentOf) {
      if (ppid === parent) {
        result.push(child);
        frontier.push(child);
      }
    }
  }
  return result;
}

/**
 * SIGKILL a process and all its descendants; SIGKILL also ends stopped (SIGSTOP) processes.
 * The descendants are listed first and the parent killed first, so that a live postmaster
 * cannot fork a replacement for a child we just killed.
 */
export function killTree(pid: number): void {
  const descendants = descendantsOf(pid);
  for (const target of [pid, ...descendants]) {
    try {
      process.kill(target, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}

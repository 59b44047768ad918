import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** Fields 3 onwards of /proc/PID/stat (state, ppid, ...): after the command name, which may hold spaces. */
function statFields(pid: number): string[] {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** Clock ticks per second of /proc's CPU times (USER_HZ: 100 on every Linux this runs on). */
const CLOCK_TICKS = 100;

/** CPU time (user + system, seconds) process `pid` has used; 0 once it is gone. */
export function cpuSecondsOf(pid: number): number {
  const { user, system } = cpuTimesOf(pid);
  return user + system;
}

/** CPU time process `pid` has used in user space and in the kernel (seconds each); 0 once it is gone. */
export function cpuTimesOf(pid: number): { readonly user: number; readonly system: number } {
  try {
    const fields = statFields(pid); // utime is field 14, stime field 15
    return { user: Number(fields[11]) / CLOCK_TICKS, system: Number(fields[12]) / CLOCK_TICKS };
  } catch {
    return { user: 0, system: 0 };
  }
}

/**
 * True when `pid` is stopped (SIGSTOP, or a debugger): frozen, not merely busy. False when it
 * runs, sleeps or does not exist.
 */
export function isStopped(pid: number): boolean {
  try {
    const state = statFields(pid)[0];
    return state === 'T' || state === 't';
  } catch {
    return false;
  }
}

/**
 * The pids of `pid`'s descendants, read from /proc (Linux). Used to fence a Postgres whose
 * postmaster does not answer: backends and walsenders must die with it, or a frozen backend
 * could wake up later and finish what it was doing.
 */
export function descendantsOf(pid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const child of processIds()) {
    try {
      parentOf.set(child, Number(statFields(child)[1]));
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

/**
 * The Postgres processes (by their title or binary) whose working directory is `dataDir`:
 * every process a postmaster forks works in its data directory, and keeps doing so after the
 * postmaster died and it was given to another parent — which descendantsOf no longer finds.
 */
export function postgresProcessesIn(dataDir: string): number[] {
  const found: number[] = [];
  for (const pid of processIds()) {
    if (pid === process.pid) continue;
    try {
      if (readlinkSync(`/proc/${pid}/cwd`) !== dataDir) continue;
      const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (command.startsWith('postgres') || command.split('\0')[0]!.endsWith('/postgres')) found.push(pid);
    } catch {
      // Gone, or not ours to look at.
    }
  }
  return found;
}

/** Every process's pid, from /proc (none where there is no /proc). */
function processIds(): number[] {
  try {
    return readdirSync('/proc').map(Number).filter((pid) => Number.isInteger(pid));
  } catch {
    return [];
  }
}

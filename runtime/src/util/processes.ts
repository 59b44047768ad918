import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { sleep } from './net';

/** True while the pid names a process, an exited but unreaped one (a zombie) included. */
export function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** True when a process with this pid exists and has not exited (signal 0 probes without touching it; a zombie is dead). */
export function isAlive(pid: number): boolean {
  return pidExists(pid) && !isZombie(pid);
}

/**
 * A process that has exited but not yet been reaped still answers kill(pid, 0). Its parent
 * reaps it — for a postmaster started by pg_ctl that is whatever adopted it, which may take
 * seconds (seen here: 1.9 s from a kill -9 to the pooler noticing) or never (an init that
 * does not reap). Dead is dead: its state in /proc says so at once. Where /proc is missing
 * (macOS) kill(pid, 0) is all there is.
 */
function isZombie(pid: number): boolean {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return false;
  }
  // The command name (in parentheses) may itself hold spaces or parentheses: the state follows the last ')'.
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  return state === 'Z' || state === 'X';
}

/**
 * True when `pid` is alive and its command line mentions `marker` (a path unique to the
 * cluster), so a recycled pid never gets killed by mistake. Where /proc is missing (macOS)
 * liveness is all we can check.
 */
export function isOurProcess(pid: number, marker: string): boolean {
  if (!isAlive(pid)) return false;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker);
  } catch {
    return process.platform !== 'linux';
  }
}

export function readPidFile(file: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(file, 'utf8').split('\n')[0] ?? '', 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

export function writePidFile(file: string, pid: number): void {
  writeFileSync(file, `${pid}\n`);
}

export function removeFile(file: string): void {
  rmSync(file, { force: true });
}

/** Sends SIGTERM, waits up to `graceMs` for the process to go, then SIGKILL. */
export async function terminate(pid: number, graceMs = 10_000): Promise<void> {
  if (!signal(pid, 'SIGTERM')) return;
  const deadline = Date.now() + graceMs;
  while (isAlive(pid) && Date.now() < deadline) await sleep(50);
  if (isAlive(pid)) {
    signal(pid, 'SIGKILL');
    while (isAlive(pid)) await sleep(20);
  }
}

function signal(pid: number, name: NodeJS.Signals): boolean {
  try {
    process.kill(pid, name);
    return true;
  } catch {
    return false;
  }
}

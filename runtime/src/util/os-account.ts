/**
 * The unprivileged account Postgres (and, started as root, every service) runs as, and the
 * two things done in its name: spawning as it, and giving it files.
 */
import { chownSync } from 'node:fs';

export interface OsUser {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
}

/**
 * Spawn options that make a child run as `user`: only root can switch accounts, and a process
 * already running as `user` (a service started by a root supervisor) spawns as itself.
 */
export function asUser(user: OsUser | undefined): { uid?: number; gid?: number } {
  return user && process.getuid?.() === 0 ? { uid: user.uid, gid: user.gid } : {};
}

/** Gives `path` to `user` when running as root (files a service must own); does nothing otherwise. */
export function giveTo(user: OsUser | undefined, path: string): void {
  if (user && process.getuid?.() === 0) chownSync(path, user.uid, user.gid);
}

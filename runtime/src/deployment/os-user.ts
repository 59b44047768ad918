import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { OsUser } from '../util/os-account';

/**
 * Postgres refuses to run as root. When Polygres runs as root it runs Postgres as `postgres`
 * (the Debian package's account) or, where that does not exist, as a `polygres` system user
 * it creates. Returns undefined when not root: Postgres then runs as the current user.
 */
export function postgresOsUser(): OsUser | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const existing = lookupUser('postgres') ?? lookupUser('polygres');
  if (existing) return existing;
  const created = spawnSync('useradd', ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', 'polygres'], {
    encoding: 'utf8',
  });
  const user = lookupUser('polygres');
  if (!user) throw new Error(`running as root, Postgres needs an unprivileged user and useradd failed: ${created.stderr || created.error?.message}`);
  return user;
}

function lookupUser(name: string): OsUser | undefined {
  let passwd: string;
  try {
    passwd = readFileSync('/etc/passwd', 'utf8');
  } catch {
    return undefined;
  }
  for (const line of passwd.split('\n')) {
    const [user, , uid, gid] = line.split(':');
    if (user === name && uid && gid) return { name, uid: Number(uid), gid: Number(gid) };
  }
  return undefined;
}

/** True when `user` can read `file` (and reach it). */
export function userCanRead(user: OsUser, file: string): boolean {
  return spawnSync('test', ['-r', file], { uid: user.uid, gid: user.gid }).status === 0;
}

/** True when `user` can enter `dir`, i.e. every directory above it is searchable for them. */
export function userCanReach(user: OsUser, dir: string): boolean {
  return spawnSync('test', ['-x', dir], { uid: user.uid, gid: user.gid }).status === 0;
}



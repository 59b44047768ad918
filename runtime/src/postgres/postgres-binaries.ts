import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const CANDIDATES = [
  '/usr/lib/postgresql/15/bin', // Debian, Ubuntu (postgresql-15)
  '/usr/pgsql-15/bin', // RHEL (PGDG)
  '/opt/homebrew/opt/postgresql@15/bin', // macOS Homebrew, Apple silicon
  '/usr/local/opt/postgresql@15/bin', // macOS Homebrew, Intel
];

let cached: string | undefined;

/**
 * The directory holding the Postgres 15 server binaries (initdb, pg_ctl, postgres,
 * pg_basebackup, pg_rewind). POLYGRES_PG_BINDIR overrides the search.
 */
export function postgresBinDir(): string {
  if (cached) return cached;
  const fromEnv = process.env.POLYGRES_PG_BINDIR;
  const found = fromEnv ? [fromEnv] : [...CANDIDATES, pgConfigBinDir()].filter((dir): dir is string => !!dir);
  for (const dir of found) {
    if (existsSync(join(dir, 'pg_ctl')) && existsSync(join(dir, 'initdb'))) {
      cached = dir;
      return dir;
    }
  }
  throw new Error(
    'PostgreSQL 15 server binaries not found. Install them (Debian/Ubuntu: apt-get install -y postgresql-15; ' +
      'macOS: brew install postgresql@15) or set POLYGRES_PG_BINDIR to the directory holding pg_ctl.',
  );
}

function pgConfigBinDir(): string | undefined {
  try {
    const version = execFileSync('pg_config', ['--version'], { encoding: 'utf8' });
    if (!/ 15\./.test(version)) return undefined;
    return execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
}

export function postgresBinary(name: string): string {
  return join(postgresBinDir(), name);
}

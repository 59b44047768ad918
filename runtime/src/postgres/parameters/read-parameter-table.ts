/**
 * Reads the parameter table from a real Postgres: a throwaway data directory, a server on a
 * private socket, pg_settings, then everything removed. pg_settings has what
 * `postgres --describe-config` leaves out (units and enum values), so the table comes from a
 * running server; the generator writes it into the sources, and a test reads it again from the
 * installed Postgres to prove the shipped table is still the server's.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { postgresOsUser } from '../../deployment/os-user';
import { asUser } from '../../util/os-account';
import { postgresBinDir } from '../postgres-binaries';
import type { ParameterDefinition, ParameterTable, ParameterType } from './parameter-table';

const TYPES: Record<string, ParameterType> = { bool: 'bool', integer: 'integer', real: 'real', enum: 'enum', string: 'string' };

export function readParameterTable(binDir = postgresBinDir()): ParameterTable {
  const root = mkdtempSync(join(tmpdir(), 'polygres-pg-settings-'));
  chmodSync(root, 0o755);
  const user = postgresOsUser();
  if (user) chownSync(root, user.uid, user.gid);
  const run = (binary: string, args: string[]) => execFileSync(join(binDir, binary), args, { ...asUser(user), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const data = join(root, 'data');
  try {
    run('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
    run('pg_ctl', ['-D', data, '-w', '-l', join(root, 'log'), '-o', `-c listen_addresses='' -k ${root} -p 5432`, 'start']);
    try {
      const rows = run('psql', ['-h', root, '-p', '5432', '-U', 'postgres', '-d', 'postgres', '-AtX', '-c', QUERY]);
      return tableFrom(JSON.parse(rows) as SettingRow[]);
    } finally {
      run('pg_ctl', ['-D', data, '-m', 'immediate', 'stop']);
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

interface SettingRow {
  name: string;
  vartype: string;
  context: string;
  unit: string | null;
  min_val: string | null;
  max_val: string | null;
  boot_val: string | null;
  enumvals: string[] | null;
}

/** Names with a dot are extensions' placeholders: not the server's own. */
const QUERY = "SELECT json_agg(s ORDER BY name) FROM (SELECT name, vartype, context, unit, min_val, max_val, boot_val, enumvals FROM pg_settings WHERE name NOT LIKE '%.%') s";

function tableFrom(rows: readonly SettingRow[]): ParameterTable {
  const table: Record<string, ParameterDefinition> = {};
  for (const row of rows) {
    const type = TYPES[row.vartype];
    if (!type) throw new Error(`pg_settings: ${row.name} has an unknown type ${row.vartype}`);
    table[row.name] = {
      type,
      context: row.context,
      ...(row.unit ? { unit: row.unit } : {}),
      ...(row.min_val !== null && (type === 'integer' || type === 'real') ? { min: Number(row.min_val), max: Number(row.max_val), default: Number(row.boot_val) } : {}),
      ...(row.enumvals ? { values: row.enumvals } : {}),
    };
  }
  return table;
}

/**
 * Checks a postgresql.conf setting the way Postgres reads it, against a parameter table
 * generated from a real server: the name (case does not matter; a name with a dot belongs to
 * an extension and is not checked), and the value — booleans in every spelling Postgres takes,
 * integers and reals with their units converted and held to the server's range, enum values.
 * So `max_connections: "abc"` or `shared_bufers` fail at validation, not when Postgres refuses
 * to start. The constructs hold a generated copy of this file (they cannot import the runtime).
 */
import { closest, distance } from 'fastest-levenshtein';
import type { ParameterDefinition, ParameterTable } from './parameter-table';

export interface ParameterProblem {
  readonly message: string;
  readonly fix: string;
}

/** What Postgres' parse_bool takes: these words, any unique prefix of them, case aside (on and off need two letters). */
const TRUE_WORDS = ['true', 'yes', 'on', '1'];
const FALSE_WORDS = ['false', 'no', 'off', '0'];

/** Postgres' memory units, 1024-based as Postgres counts them (1MB = 1024kB). */
export const MEMORY_UNITS: Record<string, number> = { B: 1, kB: 1024, MB: 1024 ** 2, GB: 1024 ** 3, TB: 1024 ** 4 };
const TIME_UNITS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, min: 60_000, h: 3_600_000, d: 86_400_000 };

/** Each table by lower-case name: Postgres reads DateStyle and datestyle alike. */
const byLowerCaseName = new WeakMap<ParameterTable, ReadonlyMap<string, ParameterDefinition>>();

function lookUp(table: ParameterTable, name: string): ParameterDefinition | undefined {
  let index = byLowerCaseName.get(table);
  if (!index) {
    index = new Map(Object.entries(table).map(([known, definition]) => [known.toLowerCase(), definition]));
    byLowerCaseName.set(table, index);
  }
  return index.get(name.toLowerCase());
}

export function parameterProblem(table: ParameterTable, name: string, value: string | number | boolean): ParameterProblem | undefined {
  if (name.includes('.')) return undefined;
  const known = lookUp(table, name);
  if (!known) return unknownName(table, name);
  if (known.context === 'internal') return { message: `"${name}" is read-only: Postgres fixes it when it is built or its data directory is created`, fix: `remove "${name}" from postgres.parameters` };
  const text = typeof value === 'boolean' ? (value ? 'on' : 'off') : String(value).trim();
  switch (known.type) {
    case 'bool':
      return parseBool(text) === undefined ? { message: `"${text}" is not a boolean`, fix: 'write on or off (true/false, yes/no, 1/0 also work)' } : undefined;
    case 'enum':
      return enumProblem(known, text);
    case 'integer':
    case 'real':
      return numberProblem(known, text);
    default:
      return undefined;
  }
}

/**
 * Every setting of a postgresql.conf, each as above and then together: Postgres refuses to
 * start when its backends (connections, autovacuum and background workers, WAL senders) add
 * up past the most it can address.
 */
export function parametersProblems(table: ParameterTable, parameters: Readonly<Record<string, string | number | boolean>>): Array<{ readonly name: string } & ParameterProblem> {
  const problems: Array<{ readonly name: string } & ParameterProblem> = [];
  for (const [name, value] of Object.entries(parameters)) {
    const problem = parameterProblem(table, name, value);
    if (problem) problems.push({ name, ...problem });
  }
  if (problems.length > 0) return problems;
  const given = new Map(Object.entries(parameters).map(([name, value]) => [name.toLowerCase(), value]));
  const backends = BACKEND_PARAMETERS.map((name) => (given.has(name) ? Math.round(Number(given.get(name))) : lookUp(table, name)?.default ?? 0));
  const total = backends.reduce((sum, count) => sum + count, 1);
  if (total > MAX_BACKENDS) {
    const name = BACKEND_PARAMETERS.find((candidate) => given.has(candidate)) ?? 'max_connections';
    problems.push({ name, message: `${BACKEND_PARAMETERS.join(' + ')} + 1 comes to ${total}, more backends than Postgres can run (${MAX_BACKENDS})`, fix: `lower ${BACKEND_PARAMETERS.filter((candidate) => given.has(candidate)).join(' or ') || 'max_connections'}` });
  }
  return problems;
}

/** Postgres' MAX_BACKENDS, and what counts toward it (the 1 is the autovacuum launcher). */
const MAX_BACKENDS = 0x3ffff;
const BACKEND_PARAMETERS = ['max_connections', 'autovacuum_max_workers', 'max_worker_processes', 'max_wal_senders'];

function unknownName(table: ParameterTable, name: string): ParameterProblem {
  const names = Object.keys(table);
  const nearest = closest(name, names);
  const near = distance(name.toLowerCase(), nearest.toLowerCase()) <= Math.max(2, Math.floor(name.length / 3));
  return {
    message: `"${name}" is not a Postgres parameter`,
    fix: near ? `did you mean "${nearest}"?` : 'check the name against SHOW ALL (a parameter of an extension is written extension.name)',
  };
}

function parseBool(text: string): boolean | undefined {
  const word = text.toLowerCase();
  if (word === '') return undefined;
  const matches = (words: readonly string[]) => words.some((candidate) => candidate.startsWith(word) && (word.length >= 2 || !candidate.startsWith('o')));
  if (matches(TRUE_WORDS)) return true;
  if (matches(FALSE_WORDS)) return false;
  return undefined;
}

function enumProblem(known: ParameterDefinition, text: string): ParameterProblem | undefined {
  const values = known.values ?? [];
  if (values.some((value) => value.toLowerCase() === text.toLowerCase())) return undefined;
  // Enums that take on and off also take true, yes, 1 and the rest, whole (hidden values: pg_settings does not list them).
  if (values.includes('on') && values.includes('off') && [...TRUE_WORDS, ...FALSE_WORDS].includes(text.toLowerCase())) return undefined;
  return { message: `"${text}" is not one of ${values.join(', ')}`, fix: `use one of: ${values.join(', ')}` };
}

function numberProblem(known: ParameterDefinition, text: string): ParameterProblem | undefined {
  const match = /^([+-]?(?:0x[0-9a-f]+|\d+\.?\d*(?:e[+-]?\d+)?|\.\d+(?:e[+-]?\d+)?))\s*([a-zA-Z]*)$/i.exec(text);
  const form = known.unit ? `a number, in ${known.unit} or with a unit (${unitsFor(known.unit).join(', ')})` : known.type === 'integer' ? 'an integer' : 'a number';
  if (!match) return { message: `"${text}" is not ${form}`, fix: `write ${form}${rangeText(known)}` };
  let amount = /^[+-]?0x/i.test(match[1]!) ? Number.parseInt(match[1]!, 16) : Number(match[1]);
  const unit = match[2]!;
  if (unit !== '') {
    const factor = unitFactor(known.unit, unit);
    if (factor === undefined) return { message: `"${unit}" is not a unit of this parameter`, fix: known.unit ? `use one of: ${unitsFor(known.unit).join(', ')}` : 'write the number without a unit' };
    amount *= factor;
  }
  // Postgres rounds an integer parameter's fraction (0.5GB of a kB parameter, or 12.5) to the nearest unit.
  if (known.type === 'integer') amount = Math.round(amount);
  if (known.min !== undefined && known.max !== undefined && (amount < known.min || amount > known.max)) {
    return { message: `${text} is outside the range Postgres accepts${rangeText(known)}`, fix: `choose a value${rangeText(known)}` };
  }
  return undefined;
}

/** How many of the parameter's own unit one `unit` is: 1 GB in a kB parameter is 1048576. */
function unitFactor(baseUnit: string | undefined, unit: string): number | undefined {
  if (!baseUnit) return undefined;
  const base = /^(\d*)(\w+)$/.exec(baseUnit);
  if (!base) return undefined;
  const multiple = base[1] ? Number(base[1]) : 1;
  const memoryBase = MEMORY_UNITS[base[2]!];
  if (memoryBase !== undefined) return MEMORY_UNITS[unit] === undefined ? undefined : MEMORY_UNITS[unit]! / (memoryBase * multiple);
  const timeBase = TIME_UNITS[base[2]!];
  if (timeBase !== undefined) return TIME_UNITS[unit] === undefined ? undefined : TIME_UNITS[unit]! / (timeBase * multiple);
  return undefined;
}

function unitsFor(baseUnit: string): string[] {
  return Object.keys(/B$/.test(baseUnit) ? MEMORY_UNITS : TIME_UNITS);
}

function rangeText(known: ParameterDefinition): string {
  if (known.min === undefined || known.max === undefined) return '';
  return ` (from ${known.min} to ${known.max}${known.unit ? ` ${known.unit}` : ''})`;
}

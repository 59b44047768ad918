/**
 * What Postgres accepts for each of its parameters: the shape of the tables generated from a
 * real server's pg_settings (postgres-15-parameters.ts; `npm run generate:parameters`).
 */

export type ParameterType = 'bool' | 'integer' | 'real' | 'enum' | 'string';

export interface ParameterDefinition {
  readonly type: ParameterType;
  /** When a change takes effect: sighup (reload), postmaster (restart), user, superuser, backend... */
  readonly context: string;
  /** The unit a bare number is read in (8kB, kB, MB, ms, s, min), for integer and real parameters that have one. */
  readonly unit?: string;
  readonly min?: number;
  readonly max?: number;
  /** The value Postgres starts with when nothing sets it (numeric parameters), in `unit`. */
  readonly default?: number;
  /** The values an enum parameter takes. */
  readonly values?: readonly string[];
}

export type ParameterTable = Readonly<Record<string, ParameterDefinition>>;

/**
 * The provider's schema model: one description of every resource and data source, from
 * which the protocol schema, the value encoding, the docs and the cdktf bindings are made.
 */
import type { Value } from '../msgpack/value';

export type AttributeType =
  | 'string'
  | 'number'
  | 'bool'
  | { readonly list: AttributeType }
  | { readonly map: AttributeType }
  | { readonly object: Readonly<Record<string, AttributeType>> };

export interface AttributeSchema {
  readonly name: string;
  readonly type: AttributeType;
  /** Shown by `terraform providers schema`, in the docs and as JSDoc of the cdktf bindings. */
  readonly description: string;
  readonly required?: boolean;
  readonly optional?: boolean;
  readonly computed?: boolean;
  readonly sensitive?: boolean;
  /** A change destroys and re-creates the resource instead of updating it in place. */
  readonly requiresReplace?: boolean;
  /** Planned when the configuration leaves this optional, computed attribute out. */
  readonly default?: Value;
}

export interface BlockSchema {
  /** Resource or data source type name, `polygres_...`. */
  readonly typeName: string;
  readonly description: string;
  readonly version: number;
  readonly attributes: readonly AttributeSchema[];
  /** What `terraform import` takes as its ID (resources only). */
  readonly importId?: string;
  /** HCL showing typical use, for the docs. */
  readonly example: string;
}

/** The cty type as Terraform's schema carries it: JSON such as "string" or ["list","string"]. */
export function ctyType(type: AttributeType): unknown {
  if (typeof type === 'string') return type;
  if ('list' in type) return ['list', ctyType(type.list)];
  if ('map' in type) return ['map', ctyType(type.map)];
  return ['object', Object.fromEntries(Object.entries(type.object).map(([name, inner]) => [name, ctyType(inner)]))];
}

export function attribute(schema: BlockSchema, name: string): AttributeSchema {
  const found = schema.attributes.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`${schema.typeName} has no attribute "${name}"`);
  return found;
}

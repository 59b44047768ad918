/**
 * The generic part of planning: Terraform proposes a new state (configuration merged with the
 * prior state); the provider fills what only it knows. Computed attributes are unknown on
 * create; an optional, computed attribute with a default gets the default when the
 * configuration leaves it out (so drift on it plans a change back); attributes that cannot
 * change in place ask for replacement.
 */
import { UNKNOWN } from '../msgpack/value';
import { type State, sameValue } from '../schema/values';
import type { BlockSchema } from '../schema/types';

export interface GenericPlan {
  readonly planned: State | null;
  /** Attribute names whose change needs the resource re-created. */
  readonly requiresReplace: readonly string[];
}

export function planChange(schema: BlockSchema, prior: State | null, proposed: State | null, config: State | null): GenericPlan {
  if (proposed === null || config === null) return { planned: null, requiresReplace: [] };
  const planned: State = { ...proposed };
  for (const attribute of schema.attributes) {
    if (!attribute.computed || config[attribute.name] !== null) continue;
    if (attribute.default !== undefined) planned[attribute.name] = attribute.default;
    else if (prior === null) planned[attribute.name] = UNKNOWN;
  }
  const requiresReplace = prior === null
    ? []
    : schema.attributes.filter((a) => a.requiresReplace && !sameValue(prior[a.name] ?? null, planned[a.name] ?? null)).map((a) => a.name);
  return { planned, requiresReplace };
}

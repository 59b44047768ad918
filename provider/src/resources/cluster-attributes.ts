/** The attributes by which every resource but the cluster itself names and identifies it. */
import type { AttributeSchema } from '../schema/types';

const CLUSTER_ID_DESCRIPTION = 'The `id` of a `polygres_cluster` (its state directory).';

/** `cluster_id`: another cluster means another object, so a change re-creates the resource. */
export const CLUSTER_ID: AttributeSchema = { name: 'cluster_id', type: 'string', required: true, requiresReplace: true, description: CLUSTER_ID_DESCRIPTION };

/** `cluster_id` of a data source, read on every plan. */
export const CLUSTER_ID_INPUT: AttributeSchema = { name: 'cluster_id', type: 'string', required: true, description: CLUSTER_ID_DESCRIPTION };

/** `id` of a resource of which a cluster has one (its policy, primary, schedule). */
export const ID_SAME_AS_CLUSTER: AttributeSchema = { name: 'id', type: 'string', computed: true, description: 'Same as `cluster_id`.' };

/** `id` of an object inside a cluster: `<cluster_id>:<name>`. */
export const OBJECT_ID = (name: string): AttributeSchema => ({ name: 'id', type: 'string', computed: true, description: `\`<cluster_id>:<${name}>\`.` });

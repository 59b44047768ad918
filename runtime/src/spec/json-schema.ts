import { z } from 'zod';
import { clusterSpecSchema } from './schema';

/** The ClusterSpec as JSON Schema (draft 2020-12), for editors and other languages. */
export function clusterSpecJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(clusterSpecSchema, { io: 'input' }) as Record<string, unknown>;
  return { ...schema, $id: 'https://polygres.dev/schemas/cluster-spec.v1.json', title: 'Polygres ClusterSpec v1' };
}

/**
 * Request bodies of the pooler consensus API, checked before anything acts on them: a
 * malformed request gets 400 with the field, never a half-done recruit or promotion.
 */
import { z } from 'zod';
import { durabilitySchema } from '../spec/schema';

const term = z.number().int().positive();
const syncConfig = z.object({ quorum: z.number().int().min(0), standbys: z.array(z.string()) }).strict();

export const recruitSchema = z.object({ term, by: z.string().min(1), fence: z.enum(['graceful', 'kill']) }).strict();
export const promoteSchema = z.object({ term, sync: syncConfig }).strict();
export const followSchema = z.object({ term, primary: z.string().min(1), mode: z.enum(['follow', 'rewind', 'reclone']) }).strict();
export const applySyncSchema = z.object({ term, sync: syncConfig }).strict();
export const establishRuleSchema = z
  .object({
    term,
    rule: z
      .object({
        term,
        primary: z.string().min(1),
        policy: durabilitySchema,
        members: z.array(z.string()),
        sync: syncConfig,
        pendingSync: syncConfig.nullable(),
        status: z.enum(['bootstrapping', 'serving', 'electing']),
        election: z.unknown().nullable(),
        decidedBy: z.string(),
        decidedAt: z.string(),
      })
      .strict(),
  })
  .strict();

/**
 * The rule inside Postgres (ARCHITECTURE.md, control path 5): the new primary writes (term, primary, policy,
 * members) into `polygres.rule_history` with a synchronous commit before it serves. The
 * commit can only be acknowledged once the policy's quorum has it, so the rule is durable
 * exactly where the data is.
 */
import type { Client } from 'pg';
import { syncStandbyNames } from '../consensus/sync-standby-names';
import type { ShardRule } from '../topo/records';

export const RULE_TABLE_DDL = `
CREATE SCHEMA IF NOT EXISTS polygres;
CREATE TABLE IF NOT EXISTS polygres.rule_history (
  term bigint PRIMARY KEY,
  primary_instance text NOT NULL,
  policy jsonb NOT NULL,
  members text[] NOT NULL,
  sync_standby_names text NOT NULL,
  decided_by text NOT NULL,
  written_at timestamptz NOT NULL DEFAULT now()
)`;

/** Inserts the rule; returns once the commit is acknowledged under the sync configuration. */
export async function writeRule(client: Client, rule: ShardRule): Promise<void> {
  await client.query(RULE_TABLE_DDL);
  await client.query(
    `INSERT INTO polygres.rule_history (term, primary_instance, policy, members, sync_standby_names, decided_by)
     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (term) DO NOTHING`,
    [rule.term, rule.primary, JSON.stringify(rule.policy), rule.members, syncStandbyNames(rule.sync), rule.decidedBy],
  );
}

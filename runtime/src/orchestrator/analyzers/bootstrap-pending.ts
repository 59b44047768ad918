import type { Analyzer } from './problem';

/** The first rule is bootstrapping: mark it serving once its primary has it durably. */
export const bootstrapPending: Analyzer = (snapshot) => {
  const rule = snapshot.rule?.value;
  if (rule?.status !== 'bootstrapping') return [];
  return [{ key: 'bootstrap-pending', description: `bootstrapping: waiting for ${rule.primary} to write rule ${rule.term} durably`, graceMs: 0, fix: { kind: 'complete-bootstrap' } }];
};

import type { SyncConfig } from './policy';

/**
 * Renders a SyncConfig as Postgres' `synchronous_standby_names`. Quorum commit (`ANY k`) lets
 * any k listed standbys acknowledge, so one slow standby does not stall commits when others
 * can answer. Names are quoted because instance names contain dashes.
 */
export function syncStandbyNames(config: SyncConfig): string {
  if (config.quorum === 0) return '';
  const names = config.standbys.map((name) => `"${name.replaceAll('"', '""')}"`).join(', ');
  return `ANY ${config.quorum} (${names})`;
}

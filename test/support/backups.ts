/** The backups of a local cluster's stanza, through the real CLI (`polygres backups --json`). */
import type { StanzaInfo } from '../../runtime/src/backup/pgbackrest-runner';
import { polygres } from './polygres-cli';

export async function listBackups(stateDir: string): Promise<StanzaInfo> {
  const result = await polygres(['backups', '--json', '--state-dir', stateDir]);
  if (result.code !== 0) throw new Error(result.stderr);
  return JSON.parse(result.stdout) as StanzaInfo;
}

import { type Analyzer, standbysOfHealthyPrimary } from './problem';

/**
 * A running standby that does not stream from the healthy primary: repoint it, and if that
 * does not help, rewind or re-clone it (the rejoin action escalates).
 */
export const standbyNotReplicating: Analyzer = (snapshot) => {
  const { primary, standbys } = standbysOfHealthyPrimary(snapshot);
  const problems = [];
  for (const { name, status } of standbys) {
    if (!status || status.phase !== 'running' || !status.healthy || status.role !== 'replica') continue;
    if (status.walReceiver === 'streaming') continue;
    problems.push({
      key: `standby-not-replicating:${name}`,
      description: `standby ${name} does not stream from ${primary?.name} (WAL receiver: ${status.walReceiver ?? 'none'})`,
      graceMs: 5_000,
      fix: { kind: 'rejoin' as const, instance: name },
    });
  }
  return problems;
};

import { type Analyzer, standbysOfHealthyPrimary } from './problem';

/**
 * A standby whose pooler answers but whose Postgres does not run: its pooler keeps trying to
 * start it, and when that keeps failing (a diverged timeline, a damaged data directory) the
 * rejoin action rewinds or re-clones it.
 */
export const standbyDown: Analyzer = (snapshot) => {
  const problems = [];
  for (const { name, status } of standbysOfHealthyPrimary(snapshot).standbys) {
    if (!status || status.postmasterPid !== null || status.phase === 'cloning' || status.phase === 'rewinding' || status.phase === 'needs-rejoin') continue;
    problems.push({
      key: `standby-down:${name}`,
      description: `standby ${name}: Postgres is not running (${status.error ?? 'stopped'})`,
      graceMs: 10_000,
      fix: { kind: 'rejoin' as const, instance: name },
    });
  }
  return problems;
};

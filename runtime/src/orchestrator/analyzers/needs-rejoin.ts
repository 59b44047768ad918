import { type Analyzer, servingPrimary } from './problem';

/** A former primary that fenced itself under a newer rule: rewind it and let it follow. */
export const needsRejoin: Analyzer = (snapshot) => {
  const primary = servingPrimary(snapshot);
  if (!primary?.status?.healthy) return [];
  const problems = [];
  for (const [name, status] of snapshot.statuses) {
    if (name === primary.name || status?.phase !== 'needs-rejoin') continue;
    problems.push({
      key: `needs-rejoin:${name}`,
      description: `${name} is a former primary waiting to rejoin as a standby of ${primary.name}`,
      graceMs: 0,
      fix: { kind: 'rejoin' as const, instance: name },
    });
  }
  return problems;
};
